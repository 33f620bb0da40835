/* The machine's AVX-512 FMA limit, for CPUs whose GEMM kernels are 512 bits wide: ../shared/bench/fma_peak.c
 * measures 256-bit FMAs only, half of what such a core can do. Each thread runs 12 independent chains of
 * 16-lane fused multiply-adds (enough to cover the latency of two FMA units) and reports GFLOP/s.
 * build: gcc -O2 -mavx512f -pthread fma_peak_avx512.c -o fma_peak_avx512 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define STEPS 200000000L

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *chains(void *arg)
{
    float seed = *(float *)arg;
    /* Twelve named accumulators, not an array, so that -O2 keeps every chain in a register. */
    __m512 a0 = _mm512_set1_ps(seed + 0.1f), a1 = _mm512_set1_ps(seed + 0.2f), a2 = _mm512_set1_ps(seed + 0.3f);
    __m512 a3 = _mm512_set1_ps(seed + 0.4f), a4 = _mm512_set1_ps(seed + 0.5f), a5 = _mm512_set1_ps(seed + 0.6f);
    __m512 a6 = _mm512_set1_ps(seed + 0.7f), a7 = _mm512_set1_ps(seed + 0.8f), a8 = _mm512_set1_ps(seed + 0.9f);
    __m512 a9 = _mm512_set1_ps(seed + 1.0f), a10 = _mm512_set1_ps(seed + 1.1f), a11 = _mm512_set1_ps(seed + 1.2f);
    const __m512 b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
    for (long s = 0; s < STEPS; s++)
    {
        a0 = _mm512_fmadd_ps(a0, b, c); a1 = _mm512_fmadd_ps(a1, b, c); a2 = _mm512_fmadd_ps(a2, b, c);
        a3 = _mm512_fmadd_ps(a3, b, c); a4 = _mm512_fmadd_ps(a4, b, c); a5 = _mm512_fmadd_ps(a5, b, c);
        a6 = _mm512_fmadd_ps(a6, b, c); a7 = _mm512_fmadd_ps(a7, b, c); a8 = _mm512_fmadd_ps(a8, b, c);
        a9 = _mm512_fmadd_ps(a9, b, c); a10 = _mm512_fmadd_ps(a10, b, c); a11 = _mm512_fmadd_ps(a11, b, c);
    }
    __m512 sum = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
        _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    sum = _mm512_add_ps(sum, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
    *(float *)arg = _mm512_reduce_add_ps(sum); /* keeps the chains alive */
    return NULL;
}

int main(void)
{
    float seeds[2] = {1.0f, 2.0f};
    pthread_t threads[2];
    for (int n = 1; n <= 2; n++)
    {
        double start = seconds();
        for (int i = 0; i < n; i++) pthread_create(&threads[i], NULL, chains, &seeds[i]);
        for (int i = 0; i < n; i++) pthread_join(threads[i], NULL);
        double elapsed = seconds() - start;
        printf("threads=%d peak_gflops=%.1f secs=%.2f (%g)\n", n, n * (double)STEPS * 12 * 32 / elapsed / 1e9, elapsed,
            seeds[0]);
    }
    return 0;
}
