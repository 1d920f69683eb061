;; The benchmark kernel: a fixed workload (input ignored) that gives a device its speed factor
;; (src/compute/metering.ts). It mixes what the catalog does: integer division (trial-division
;; primes below 1,200,000) and f64 multiply-add (Mandelbrot escape counts on a 128 x 128 grid over [-2, 1] x [-1.5, 1.5], 512
;; steps max). Output (8 bytes): primes count u32, sum of escape counts u32 — a checksum that
;; proves the work was done (docs/KERNELS.md gives the expected values).
(module
  (memory (export "memory") 2 2)
  (func (export "input") (param $len i32) (result i32) (i32.const 0))
  (func (export "output") (result i32) (i32.const 65536))

  (func $is_prime (param $n i32) (result i32)
    (local $d i32)
    (if (i32.lt_u (local.get $n) (i32.const 2)) (then (return (i32.const 0))))
    (if (i32.lt_u (local.get $n) (i32.const 4)) (then (return (i32.const 1))))
    (if (i32.eqz (i32.and (local.get $n) (i32.const 1))) (then (return (i32.const 0))))
    (local.set $d (i32.const 3))
    (block $prime
      (loop $next
        (br_if $prime (i32.gt_u (i32.mul (local.get $d) (local.get $d)) (local.get $n)))
        (if (i32.eqz (i32.rem_u (local.get $n) (local.get $d))) (then (return (i32.const 0))))
        (local.set $d (i32.add (local.get $d) (i32.const 2)))
        (br $next)))
    (i32.const 1))

  (func $escape (param $cr f64) (param $ci f64) (result i32)
    (local $zr f64) (local $zi f64) (local $zr2 f64) (local $zi2 f64) (local $i i32)
    (block $out
      (loop $step
        (br_if $out (i32.ge_u (local.get $i) (i32.const 512)))
        (local.set $zr2 (f64.mul (local.get $zr) (local.get $zr)))
        (local.set $zi2 (f64.mul (local.get $zi) (local.get $zi)))
        (br_if $out (f64.gt (f64.add (local.get $zr2) (local.get $zi2)) (f64.const 4)))
        (local.set $zi (f64.add (f64.mul (f64.mul (f64.const 2) (local.get $zr)) (local.get $zi)) (local.get $ci)))
        (local.set $zr (f64.add (f64.sub (local.get $zr2) (local.get $zi2)) (local.get $cr)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $step)))
    (local.get $i))

  (func (export "run") (param $len i32) (result i32)
    (local $n i32) (local $primes i32) (local $x i32) (local $y i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $n) (i32.const 1200000)))
        (local.set $primes (i32.add (local.get $primes) (call $is_prime (local.get $n))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (block $rows
      (loop $row
        (br_if $rows (i32.ge_u (local.get $y) (i32.const 128)))
        (local.set $x (i32.const 0))
        (block $cols
          (loop $col
            (br_if $cols (i32.ge_u (local.get $x) (i32.const 128)))
            (local.set $sum (i32.add (local.get $sum)
              (call $escape
                (f64.sub (f64.mul (f64.convert_i32_u (local.get $x)) (f64.const 0.0234375)) (f64.const 2))
                (f64.sub (f64.mul (f64.convert_i32_u (local.get $y)) (f64.const 0.0234375)) (f64.const 1.5)))))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $col)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row)))
    (i32.store (i32.const 65536) (local.get $primes))
    (i32.store (i32.const 65540) (local.get $sum))
    (i32.const 8)))
