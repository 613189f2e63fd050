"""One timed pycocotools evaluation (load GT, loadRes, evaluate, accumulate, summarize); prints a JSON line.
Usage: python3 pycocotools-one.py GT DT IOU_TYPE"""
import contextlib, io, json, resource, sys, time

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

gt_file, dt_file, iou_type = sys.argv[1:4]
t0 = time.perf_counter()
c0 = time.process_time()
with contextlib.redirect_stdout(io.StringIO()):
    gt = COCO(gt_file)
    dt = gt.loadRes(dt_file)
    ev = COCOeval(gt, dt, iou_type)
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
seconds = time.perf_counter() - t0
cpu = time.process_time() - c0
print(json.dumps({'seconds': seconds, 'cpuSeconds': cpu, 'stats': [float(v) for v in ev.stats],
                  'maxRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
