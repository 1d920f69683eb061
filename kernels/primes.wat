;; Count primes p with from <= p < to, by trial division by odd numbers up to sqrt(p).
;; The same algorithm as primes.c (the native comparison of bench/compute.bench.ts).
;; Calling convention: docs/KERNELS.md. Input (8 bytes, little-endian): from u32, to u32.
;; Output (4 bytes): the count, u32.
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
        ;; d*d > n in 64 bits: d passes 65535 for n near 2^32, where d*d would wrap in 32.
        (br_if $prime
          (i64.gt_u
            (i64.mul (i64.extend_i32_u (local.get $d)) (i64.extend_i32_u (local.get $d)))
            (i64.extend_i32_u (local.get $n))))
        (if (i32.eqz (i32.rem_u (local.get $n) (local.get $d))) (then (return (i32.const 0))))
        (local.set $d (i32.add (local.get $d) (i32.const 2)))
        (br $next)))
    (i32.const 1))

  (func $count (param $from i32) (param $to i32) (result i32)
    (local $n i32) (local $count i32)
    (local.set $n (local.get $from))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $n) (local.get $to)))
        (local.set $count (i32.add (local.get $count) (call $is_prime (local.get $n))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $count))

  (func (export "run") (param $len i32) (result i32)
    (if (i32.ne (local.get $len) (i32.const 8)) (then (return (i32.const -1))))
    (i32.store (i32.const 65536)
      (call $count (i32.load (i32.const 0)) (i32.load (i32.const 4))))
    (i32.const 4)))
