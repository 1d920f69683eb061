;; One RGBA tile of an image of the Mandelbrot set.
;; Input (56 bytes, little-endian): width u32, height u32 (whole image), x0 u32, y0 u32, w u32,
;; h u32 (the tile), maxIter u32, zero u32, centerX f64, centerY f64, scale f64 (plane units per
;; pixel). Pixel (x, y) of the image is c = centerX + (x - width/2)*scale + i*(centerY + (y - height/2)*scale).
;; Output: w*h*4 bytes, RGBA rows top to bottom; points that stay bounded for maxIter steps are black.
;; Floats: only +, -, * and compare on finite values in f64, which WebAssembly defines exactly
;; (IEEE 754, round to nearest). A NaN (from an infinite scale) never reaches the output: the
;; colour depends on the integer iteration count only.
(module
  (memory (export "memory") 18 18) ;; input at 0, output at 64 KiB, up to 1 MiB (512x512 tile)
  (func (export "input") (param $len i32) (result i32) (i32.const 0))
  (func (export "output") (result i32) (i32.const 65536))

  ;; Iterations before |z| > 2, up to maxIter.
  (func $escape (param $cr f64) (param $ci f64) (param $max i32) (result i32)
    (local $zr f64) (local $zi f64) (local $zr2 f64) (local $zi2 f64) (local $i i32)
    (block $out
      (loop $step
        (br_if $out (i32.ge_u (local.get $i) (local.get $max)))
        (local.set $zr2 (f64.mul (local.get $zr) (local.get $zr)))
        (local.set $zi2 (f64.mul (local.get $zi) (local.get $zi)))
        (br_if $out (f64.gt (f64.add (local.get $zr2) (local.get $zi2)) (f64.const 4)))
        (local.set $zi (f64.add (f64.mul (f64.mul (f64.const 2) (local.get $zr)) (local.get $zi)) (local.get $ci)))
        (local.set $zr (f64.add (f64.sub (local.get $zr2) (local.get $zi2)) (local.get $cr)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $step)))
    (local.get $i))

  ;; A colour per count: black inside, else a triangle wave of period 64 (blue to gold).
  (func $colour (param $i i32) (param $max i32) (result i32)
    (local $s i32) (local $v i32)
    (if (i32.ge_u (local.get $i) (local.get $max)) (then (return (i32.const 0xFF000000))))
    (local.set $s (i32.and (local.get $i) (i32.const 63)))
    (local.set $v (i32.shl
      (select (local.get $s) (i32.sub (i32.const 63) (local.get $s)) (i32.lt_u (local.get $s) (i32.const 32)))
      (i32.const 3)))
    ;; little-endian RGBA: R | G << 8 | B << 16 | A << 24
    (i32.or (i32.or (local.get $v)
                    (i32.shl (i32.shr_u (i32.mul (local.get $v) (i32.const 3)) (i32.const 2)) (i32.const 8)))
            (i32.or (i32.shl (i32.sub (i32.const 255) (i32.shr_u (local.get $v) (i32.const 1))) (i32.const 16))
                    (i32.const 0xFF000000))))

  (func (export "run") (param $len i32) (result i32)
    (local $x0 i32) (local $y0 i32) (local $w i32) (local $h i32) (local $max i32)
    (local $cx f64) (local $cy f64) (local $scale f64) (local $halfW f64) (local $halfH f64)
    (local $px i32) (local $py i32) (local $ci f64) (local $out i32)
    (if (i32.ne (local.get $len) (i32.const 56)) (then (return (i32.const -1))))
    (local.set $halfW (f64.mul (f64.convert_i32_u (i32.load (i32.const 0))) (f64.const 0.5)))
    (local.set $halfH (f64.mul (f64.convert_i32_u (i32.load (i32.const 4))) (f64.const 0.5)))
    (local.set $x0 (i32.load (i32.const 8)))
    (local.set $y0 (i32.load (i32.const 12)))
    (local.set $w (i32.load (i32.const 16)))
    (local.set $h (i32.load (i32.const 20)))
    (local.set $max (i32.load (i32.const 24)))
    (local.set $cx (f64.load (i32.const 32)))
    (local.set $cy (f64.load (i32.const 40)))
    (local.set $scale (f64.load (i32.const 48)))
    ;; w*h*4 must fit the output area (1 MiB): checked in 64 bits so it cannot wrap.
    (if (i64.gt_u (i64.mul (i64.mul (i64.extend_i32_u (local.get $w)) (i64.extend_i32_u (local.get $h))) (i64.const 4))
                  (i64.const 1048576))
      (then (return (i32.const -2))))
    (local.set $out (i32.const 65536))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $py) (local.get $h)))
        (local.set $ci (f64.add (local.get $cy)
          (f64.mul (f64.sub (f64.convert_i32_u (i32.add (local.get $y0) (local.get $py))) (local.get $halfH)) (local.get $scale))))
        (local.set $px (i32.const 0))
        (block $cols_done
          (loop $col
            (br_if $cols_done (i32.ge_u (local.get $px) (local.get $w)))
            (i32.store (local.get $out)
              (call $colour
                (call $escape
                  (f64.add (local.get $cx)
                    (f64.mul (f64.sub (f64.convert_i32_u (i32.add (local.get $x0) (local.get $px))) (local.get $halfW)) (local.get $scale)))
                  (local.get $ci) (local.get $max))
                (local.get $max)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $px (i32.add (local.get $px) (i32.const 1)))
            (br $col)))
        (local.set $py (i32.add (local.get $py) (i32.const 1)))
        (br $row)))
    (i32.mul (i32.mul (local.get $w) (local.get $h)) (i32.const 4))))
