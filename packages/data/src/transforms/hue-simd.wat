;; torchvision `adjust_hue` on uint8 RGB, four pixels at a time in WebAssembly SIMD (f32x4 lanes). Every step is the
;; float32 operation of color-ops.ts's shiftHuePixel, in the same order: WebAssembly's f32 add, sub, mul and div are
;; IEEE-754 single precision, correctly rounded, so the bytes are the same. Where the scalar code branches (which
;; of torchvision's hue candidates, which HSV sector) this computes every choice and selects per lane.
;; Built into hue-simd-wasm.ts by tools/data/build-hue-wasm.mjs.
(module
  (memory (export "memory") 1)
  ;; hue(in, out, n, hf): n pixels (a multiple of 4) at byte offset `in`, written at `out`. Each group of four reads
  ;; and writes 16 bytes for its 12, so both regions need 4 bytes of slack after them.
  (func (export "hue") (param $in i32) (param $out i32) (param $n i32) (param $hf f32)
    (local $end i32) (local $v v128) (local $r v128) (local $g v128) (local $b v128)
    (local $maxc v128) (local $minc v128) (local $eqc v128) (local $cr v128) (local $s v128) (local $crd v128)
    (local $rc v128) (local $gc v128) (local $bc v128) (local $h v128) (local $isR v128) (local $isG v128)
    (local $h6 v128) (local $fi v128) (local $f v128) (local $p v128) (local $q v128) (local $t v128)
    (local $sec v128) (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128) (local $e4 v128)
    (local $R v128) (local $G v128) (local $B v128)
    (local $zero v128) (local $one v128) (local $six v128) (local $c255 v128) (local $hfv v128)
    (local.set $zero (v128.const i32x4 0 0 0 0))
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $six (f32x4.splat (f32.const 6)))
    (local.set $c255 (f32x4.splat (f32.const 255)))
    (local.set $hfv (f32x4.splat (local.get $hf)))
    (local.set $end (i32.add (local.get $in) (i32.mul (local.get $n) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
        (local.set $v (v128.load (local.get $in)))
        ;; v / 255 per channel, the uint8 → float conversion
        (local.set $r (f32x4.div (f32x4.convert_i32x4_u
          (i8x16.shuffle 0 16 16 16 3 16 16 16 6 16 16 16 9 16 16 16 (local.get $v) (local.get $zero))) (local.get $c255)))
        (local.set $g (f32x4.div (f32x4.convert_i32x4_u
          (i8x16.shuffle 1 16 16 16 4 16 16 16 7 16 16 16 10 16 16 16 (local.get $v) (local.get $zero))) (local.get $c255)))
        (local.set $b (f32x4.div (f32x4.convert_i32x4_u
          (i8x16.shuffle 2 16 16 16 5 16 16 16 8 16 16 16 11 16 16 16 (local.get $v) (local.get $zero))) (local.get $c255)))
        ;; RGB → HSV
        (local.set $maxc (f32x4.max (f32x4.max (local.get $r) (local.get $g)) (local.get $b)))
        (local.set $minc (f32x4.min (f32x4.min (local.get $r) (local.get $g)) (local.get $b)))
        (local.set $eqc (f32x4.eq (local.get $maxc) (local.get $minc)))
        (local.set $cr (f32x4.sub (local.get $maxc) (local.get $minc)))
        (local.set $s (f32x4.div (local.get $cr) (v128.bitselect (local.get $one) (local.get $maxc) (local.get $eqc))))
        (local.set $crd (v128.bitselect (local.get $one) (local.get $cr) (local.get $eqc)))
        (local.set $rc (f32x4.div (f32x4.sub (local.get $maxc) (local.get $r)) (local.get $crd)))
        (local.set $gc (f32x4.div (f32x4.sub (local.get $maxc) (local.get $g)) (local.get $crd)))
        (local.set $bc (f32x4.div (f32x4.sub (local.get $maxc) (local.get $b)) (local.get $crd)))
        (local.set $isR (f32x4.eq (local.get $maxc) (local.get $r)))
        (local.set $isG (v128.andnot (f32x4.eq (local.get $maxc) (local.get $g)) (local.get $isR)))
        ;; max r: bc − gc; max g: (2 + rc) − bc; else (4 + gc) − rc
        (local.set $h
          (v128.bitselect
            (f32x4.sub (local.get $bc) (local.get $gc))
            (v128.bitselect
              (f32x4.sub (f32x4.add (f32x4.splat (f32.const 2)) (local.get $rc)) (local.get $bc))
              (f32x4.sub (f32x4.add (f32x4.splat (f32.const 4)) (local.get $gc)) (local.get $rc))
              (local.get $isG))
            (local.get $isR)))
        ;; fmod(h / 6 + 1, 1) for a non-negative argument
        (local.set $h (f32x4.add (f32x4.div (local.get $h) (local.get $six)) (local.get $one)))
        (local.set $h (f32x4.sub (local.get $h) (f32x4.trunc (local.get $h))))
        ;; (h + hf) mod 1, Python style, in [0, 1)
        (local.set $h (f32x4.add (local.get $h) (local.get $hfv)))
        (local.set $h (f32x4.sub (local.get $h) (f32x4.floor (local.get $h))))
        (local.set $h (v128.andnot (local.get $h) (f32x4.ge (local.get $h) (local.get $one))))
        ;; HSV → RGB
        (local.set $h6 (f32x4.mul (local.get $h) (local.get $six)))
        (local.set $fi (f32x4.floor (local.get $h6)))
        (local.set $f (f32x4.sub (local.get $h6) (local.get $fi)))
        (local.set $p (f32x4.min (f32x4.max
          (f32x4.mul (local.get $maxc) (f32x4.sub (local.get $one) (local.get $s))) (local.get $zero)) (local.get $one)))
        (local.set $q (f32x4.min (f32x4.max
          (f32x4.mul (local.get $maxc) (f32x4.sub (local.get $one) (f32x4.mul (local.get $s) (local.get $f)))) (local.get $zero)) (local.get $one)))
        (local.set $t (f32x4.min (f32x4.max
          (f32x4.mul (local.get $maxc) (f32x4.sub (local.get $one)
            (f32x4.mul (local.get $s) (f32x4.sub (local.get $one) (local.get $f))))) (local.get $zero)) (local.get $one)))
        ;; the sector i mod 6: i is 0…6 (6 when h·6 rounds up to 6)
        (local.set $sec (i32x4.trunc_sat_f32x4_s (local.get $fi)))
        (local.set $sec (v128.andnot (local.get $sec) (i32x4.eq (local.get $sec) (i32x4.splat (i32.const 6)))))
        (local.set $e0 (i32x4.eq (local.get $sec) (i32x4.splat (i32.const 0))))
        (local.set $e1 (i32x4.eq (local.get $sec) (i32x4.splat (i32.const 1))))
        (local.set $e2 (i32x4.eq (local.get $sec) (i32x4.splat (i32.const 2))))
        (local.set $e3 (i32x4.eq (local.get $sec) (i32x4.splat (i32.const 3))))
        (local.set $e4 (i32x4.eq (local.get $sec) (i32x4.splat (i32.const 4))))
        ;; sector 0: v t p; 1: q v p; 2: p v t; 3: p q v; 4: t p v; 5: v p q
        (local.set $R (v128.bitselect (local.get $q) (local.get $maxc) (local.get $e1)))
        (local.set $R (v128.bitselect (local.get $p) (local.get $R) (v128.or (local.get $e2) (local.get $e3))))
        (local.set $R (v128.bitselect (local.get $t) (local.get $R) (local.get $e4)))
        (local.set $G (v128.bitselect (local.get $t) (local.get $p) (local.get $e0)))
        (local.set $G (v128.bitselect (local.get $maxc) (local.get $G) (v128.or (local.get $e1) (local.get $e2))))
        (local.set $G (v128.bitselect (local.get $q) (local.get $G) (local.get $e3)))
        (local.set $B (v128.bitselect (local.get $p) (local.get $q) (v128.or (local.get $e0) (local.get $e1))))
        (local.set $B (v128.bitselect (local.get $t) (local.get $B) (local.get $e2)))
        (local.set $B (v128.bitselect (local.get $maxc) (local.get $B) (v128.or (local.get $e3) (local.get $e4))))
        ;; ×255, truncated (the values are in [0, 255]), packed back to R G B bytes
        (v128.store (local.get $out)
          (i8x16.shuffle 0 4 8 1 5 9 2 6 10 3 7 11 12 13 14 15
            (i8x16.narrow_i16x8_u
              (i16x8.narrow_i32x4_u
                (i32x4.trunc_sat_f32x4_s (f32x4.mul (local.get $R) (local.get $c255)))
                (i32x4.trunc_sat_f32x4_s (f32x4.mul (local.get $G) (local.get $c255))))
              (i16x8.narrow_i32x4_u
                (i32x4.trunc_sat_f32x4_s (f32x4.mul (local.get $B) (local.get $c255)))
                (local.get $zero)))
            (local.get $zero)))
        (local.set $in (i32.add (local.get $in) (i32.const 12)))
        (local.set $out (i32.add (local.get $out) (i32.const 12)))
        (br $next)))))
