;; Seeded Monte Carlo estimate of pi, integer arithmetic only (deterministic everywhere).
;; Points (x, y) with x, y uniform in [0, 2^31) from splitmix64; a point is inside the quarter
;; circle when x^2 + y^2 < 2^62. pi ~ 4 * hits / samples.
;; Input (16 bytes, little-endian): seed u64, samples u32, zero u32.
;; Output (16 bytes): hits u64, samples u64.
(module
  (memory (export "memory") 2 2)
  (global $state (mut i64) (i64.const 0))
  (func (export "input") (param $len i32) (result i32) (i32.const 0))
  (func (export "output") (result i32) (i32.const 65536))

  ;; splitmix64 (Steele, Lea, Flood 2014): state += golden gamma, then mix.
  (func $next (result i64)
    (local $z i64)
    (global.set $state (i64.add (global.get $state) (i64.const 0x9E3779B97F4A7C15)))
    (local.set $z (global.get $state))
    (local.set $z (i64.mul (i64.xor (local.get $z) (i64.shr_u (local.get $z) (i64.const 30))) (i64.const 0xBF58476D1CE4E5B9)))
    (local.set $z (i64.mul (i64.xor (local.get $z) (i64.shr_u (local.get $z) (i64.const 27))) (i64.const 0x94D049BB133111EB)))
    (i64.xor (local.get $z) (i64.shr_u (local.get $z) (i64.const 31))))

  (func (export "run") (param $len i32) (result i32)
    (local $left i32) (local $hits i64) (local $x i64) (local $y i64)
    (if (i32.ne (local.get $len) (i32.const 16)) (then (return (i32.const -1))))
    (global.set $state (i64.load (i32.const 0)))
    (local.set $left (i32.load (i32.const 8)))
    (block $done
      (loop $sample
        (br_if $done (i32.eqz (local.get $left)))
        (local.set $x (i64.shr_u (call $next) (i64.const 33)))
        (local.set $y (i64.shr_u (call $next) (i64.const 33)))
        (if (i64.lt_u
              (i64.add (i64.mul (local.get $x) (local.get $x)) (i64.mul (local.get $y) (local.get $y)))
              (i64.const 0x4000000000000000))
          (then (local.set $hits (i64.add (local.get $hits) (i64.const 1)))))
        (local.set $left (i32.sub (local.get $left) (i32.const 1)))
        (br $sample)))
    (i64.store (i32.const 65536) (local.get $hits))
    (i64.store (i32.const 65544) (i64.extend_i32_u (i32.load (i32.const 8))))
    (i32.const 16)))
