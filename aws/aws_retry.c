#include "aws_retry.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static const aws_retry_policy_t aws_retry_default = AWS_RETRY_POLICY_DEFAULT;

void aws_rng_seed(aws_rng_t *r, uint64_t seed)
{
    /* splitmix64 step: spreads any seed (0 included) over the state */
    uint64_t z = seed + 0x9E3779B97F4A7C15ULL;

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    r->s = z ? z : 0x9E3779B97F4A7C15ULL;
}

void aws_rng_seed_random(aws_rng_t *r)
{
    uint64_t seed;
    struct timespec ts;

    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t) sizeof(seed)) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        seed = ((uint64_t) ts.tv_sec * 1000000007ULL) ^ (uint64_t) ts.tv_nsec
               ^ ((uint64_t) getpid() << 32);
    }
    aws_rng_seed(r, seed);
}

uint32_t aws_rng_next(aws_rng_t *r)
{
    /* xorshift64* */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return (uint32_t) ((r->s * 0x2545F4914F6CDD1DULL) >> 32);
}

aws_retry_policy_t aws_retry_policy_normalize(const aws_retry_policy_t *p)
{
    aws_retry_policy_t n = aws_retry_default;

    if (p != NULL) {
        if (p->max_attempts != 0) {
            n.max_attempts = p->max_attempts < 1 ? 1 : p->max_attempts;
        }
        if (p->base_ms != 0) {
            n.base_ms = p->base_ms;
        }
        if (p->cap_ms != 0) {
            n.cap_ms = p->cap_ms;
        }
    }
    return n;
}

unsigned aws_retry_ceiling_ms(const aws_retry_policy_t *p, int retry)
{
    unsigned long long ceiling = p->base_ms;
    int i;

    for (i = 0; i < retry && ceiling < p->cap_ms; i++) {
        ceiling *= 2;
    }
    return ceiling < p->cap_ms ? (unsigned) ceiling : p->cap_ms;
}

unsigned aws_retry_delay_ms(const aws_retry_policy_t *p, int retry, aws_rng_t *rng)
{
    unsigned ceiling = aws_retry_ceiling_ms(p, retry);

    return (unsigned) ((unsigned long long) aws_rng_next(rng) % ((unsigned long long) ceiling + 1));
}

int aws_retry_should(const aws_retry_policy_t *p, int attempts, const aws_error_t *err)
{
    return attempts >= 1 && attempts < p->max_attempts && aws_error_retryable(err);
}

int aws_retry_next(const aws_retry_policy_t *p, int attempts, const aws_error_t *err,
                   long long remaining_ms, aws_rng_t *rng, unsigned *delay_ms)
{
    unsigned delay;

    if (!aws_retry_should(p, attempts, err)) {
        return 0;
    }
    delay = aws_retry_delay_ms(p, attempts - 1, rng);
    if (remaining_ms >= 0 && (long long) delay >= remaining_ms) {
        return 0;
    }
    *delay_ms = delay;
    return 1;
}
