console.log("coco-eval: not implemented yet");
