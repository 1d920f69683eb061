/* Count primes p with from <= p < to, by trial division by odd numbers up to sqrt(p): the same
 * algorithm as primes.wat, compiled natively for bench/compute.bench.ts (gcc -O2).
 * Usage: primes FROM TO REPEAT — prints the count and the best time of REPEAT runs in ms. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int is_prime(uint32_t n) {
  if (n < 2) return 0;
  if (n < 4) return 1;
  if ((n & 1) == 0) return 0;
  for (uint32_t d = 3;; d += 2) {
    if ((uint64_t)d * d > n) return 1;
    if (n % d == 0) return 0;
  }
}

/* noinline: the count must not be folded into main's timing loop. */
__attribute__((noinline)) static uint32_t count_primes(uint32_t from, uint32_t to) {
  uint32_t count = 0;
  for (uint32_t n = from; n < to; n++) count += is_prime(n);
  return count;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: primes FROM TO REPEAT\n"); return 2; }
  uint32_t from = (uint32_t)strtoul(argv[1], 0, 10), to = (uint32_t)strtoul(argv[2], 0, 10);
  int repeat = atoi(argv[3]);
  double best = 1e300;
  uint32_t count = 0;
  for (int i = 0; i < repeat; i++) {
    volatile uint32_t f = from; /* keeps gcc from computing the count once for all runs */
    double t0 = now_ms();
    count = count_primes(f, to);
    double ms = now_ms() - t0;
    if (ms < best) best = ms;
  }
  printf("%u %.3f\n", count, best);
  return 0;
}
