/* crc32.c - benchmark: CRC-32 (the IEEE 802.3 / zlib polynomial, reflected, 0xEDB88320)
 * computed one byte at a time through a 256-entry table. Measures byte loads, table lookups
 * and shifts in a loop-carried dependency chain. SIZE is the message length in KiB; the
 * message is a 64 KiB pseudo-random block repeated to that length. Prints the CRC. */
#include "bench_util.h"

#define CRC32_SOURCE_BYTES 65536

/* Fills table[256] with the CRC of every byte value. */
static void crc32_make_table(uint32_t table[256]) {
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t crc = byte;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (crc & 1 ? 0xEDB88320u : 0);
        table[byte] = crc;
    }
}

/* Continues a CRC (pre- and post-inverted, as zlib's crc32()) over len bytes. */
static uint32_t crc32_update(const uint32_t table[256], uint32_t crc, const uint8_t *data,
                             size_t len) {
    crc = ~crc;
    for (size_t i = 0; i < len; i++)
        crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

int main(int argc, char **argv) {
    int64_t kib = bench_size_arg(argc, argv, 131072, 0, 4194304);
    uint32_t table[256];
    crc32_make_table(table);
    uint8_t *source = bench_alloc(CRC32_SOURCE_BYTES);
    BenchRng rng = bench_rng_new(0xc3c32);
    for (size_t i = 0; i < CRC32_SOURCE_BYTES; i++)
        source[i] = (uint8_t)(bench_rng_next(&rng) >> 56);
    uint32_t crc = 0;
    uint64_t remaining = (uint64_t)kib * 1024;
    while (remaining > 0) {
        size_t chunk = remaining < CRC32_SOURCE_BYTES ? (size_t)remaining : CRC32_SOURCE_BYTES;
        crc = crc32_update(table, crc, source, chunk);
        remaining -= chunk;
    }
    printf("crc32 of %lld KiB: %08x\n", (long long)kib, crc);
    free(source);
    return 0;
}
