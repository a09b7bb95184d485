/* sha256.c - benchmark: SHA-256 (FIPS 180-4) of a generated message. Measures 32-bit
 * rotates, adds and logic ops on locals. SIZE is the message length in KiB; the message is
 * a 64 KiB pseudo-random block repeated (and cut) to that length. Prints the digest in hex. */
#include "bench_util.h"
#include <string.h>

#define SHA256_BLOCK_BYTES 64
#define SHA256_SOURCE_BYTES 65536

typedef struct {
    uint32_t state[8];
    uint64_t length;                    /* bytes hashed so far */
    uint8_t pending[SHA256_BLOCK_BYTES];
    uint32_t pending_len;
} Sha256;

static const uint32_t sha256_round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

static inline uint32_t sha256_rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

/* Runs the compression function on one 64-byte block. */
static void sha256_compress(uint32_t state[8], const uint8_t *block) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 |
               (uint32_t)block[4 * i + 2] << 8 | block[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = sha256_rotr(w[i - 15], 7) ^ sha256_rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = sha256_rotr(w[i - 2], 17) ^ sha256_rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; i++) {
        uint32_t s1 = sha256_rotr(e, 6) ^ sha256_rotr(e, 11) ^ sha256_rotr(e, 25);
        uint32_t t1 = h + s1 + ((e & f) ^ (~e & g)) + sha256_round_constants[i] + w[i];
        uint32_t s0 = sha256_rotr(a, 2) ^ sha256_rotr(a, 13) ^ sha256_rotr(a, 22);
        uint32_t t2 = s0 + ((a & b) ^ (a & c) ^ (b & c));
        h = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    state[0] += a; state[1] += b; state[2] += c; state[3] += d;
    state[4] += e; state[5] += f; state[6] += g; state[7] += h;
}

static void sha256_init(Sha256 *ctx) {
    static const uint32_t initial[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    memcpy(ctx->state, initial, sizeof initial);
    ctx->length = 0;
    ctx->pending_len = 0;
}

/* Hashes len more bytes of the message. */
static void sha256_update(Sha256 *ctx, const uint8_t *data, size_t len) {
    ctx->length += len;
    while (len > 0) {
        if (ctx->pending_len == 0 && len >= SHA256_BLOCK_BYTES) {
            sha256_compress(ctx->state, data);
            data += SHA256_BLOCK_BYTES;
            len -= SHA256_BLOCK_BYTES;
            continue;
        }
        size_t take = SHA256_BLOCK_BYTES - ctx->pending_len;
        if (take > len)
            take = len;
        memcpy(ctx->pending + ctx->pending_len, data, take);
        ctx->pending_len += (uint32_t)take;
        data += take;
        len -= take;
        if (ctx->pending_len == SHA256_BLOCK_BYTES) {
            sha256_compress(ctx->state, ctx->pending);
            ctx->pending_len = 0;
        }
    }
}

/* Pads the message, and writes the 32-byte digest. */
static void sha256_final(Sha256 *ctx, uint8_t digest[32]) {
    uint64_t bit_length = ctx->length * 8;
    uint8_t pad[SHA256_BLOCK_BYTES + 8] = { 0x80 };
    size_t pad_len = (ctx->pending_len < 56 ? 56 : 120) - ctx->pending_len;
    for (int i = 0; i < 8; i++)
        pad[pad_len + i] = (uint8_t)(bit_length >> (56 - 8 * i));
    sha256_update(ctx, pad, pad_len + 8);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++)
            digest[4 * i + j] = (uint8_t)(ctx->state[i] >> (24 - 8 * j));
}

int main(int argc, char **argv) {
    int64_t kib = bench_size_arg(argc, argv, 65536, 0, 4194304);
    uint8_t *source = bench_alloc(SHA256_SOURCE_BYTES);
    BenchRng rng = bench_rng_new(0x5a256);
    for (size_t i = 0; i < SHA256_SOURCE_BYTES; i++)
        source[i] = (uint8_t)(bench_rng_next(&rng) >> 56);
    Sha256 ctx;
    sha256_init(&ctx);
    uint64_t remaining = (uint64_t)kib * 1024;
    while (remaining > 0) {
        size_t chunk = remaining < SHA256_SOURCE_BYTES ? (size_t)remaining : SHA256_SOURCE_BYTES;
        sha256_update(&ctx, source, chunk);
        remaining -= chunk;
    }
    uint8_t digest[32];
    sha256_final(&ctx, digest);
    printf("sha256 of %lld KiB: ", (long long)kib);
    for (int i = 0; i < 32; i++)
        printf("%02x", digest[i]);
    printf("\n");
    free(source);
    return 0;
}
