/* hashtable.c - benchmark: word counting in an open-addressing hash table with string keys
 * (FNV-1a hash, linear probing, doubling growth, backward-shift deletion). n skewed
 * pseudo-random words are counted, n more are looked up, then every word seen an odd number
 * of times is deleted. Measures byte hashing, memcmp, malloc of keys and cache misses.
 * SIZE is n; prints table statistics and an order-independent checksum. */
#include "bench_util.h"
#include <string.h>

typedef struct {
    char *key;            /* malloc'd copy, NULL = empty slot */
    uint32_t key_len;
    uint32_t hash;
    uint32_t count;
} HashSlot;

typedef struct {
    HashSlot *slots;
    uint32_t capacity;    /* a power of two */
    uint32_t used;
} HashTable;

static uint32_t hash_fnv1a(const char *key, uint32_t len) {
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)key[i]) * 16777619u;
    return h;
}

static void hash_init(HashTable *t, uint32_t capacity) {
    t->slots = bench_alloc(capacity * sizeof(HashSlot));
    memset(t->slots, 0, capacity * sizeof(HashSlot));
    t->capacity = capacity;
    t->used = 0;
}

/* Returns the slot holding key, or the empty slot where it would go. */
static HashSlot *hash_find(HashTable *t, const char *key, uint32_t len, uint32_t hash) {
    uint32_t mask = t->capacity - 1;
    for (uint32_t i = hash & mask;; i = (i + 1) & mask) {
        HashSlot *s = &t->slots[i];
        if (!s->key || (s->hash == hash && s->key_len == len && !memcmp(s->key, key, len)))
            return s;
    }
}

/* Doubles the capacity, moving every entry (keys are not copied). */
static void hash_grow(HashTable *t) {
    HashTable bigger;
    hash_init(&bigger, t->capacity * 2);
    for (uint32_t i = 0; i < t->capacity; i++) {
        HashSlot *s = &t->slots[i];
        if (s->key)
            *hash_find(&bigger, s->key, s->key_len, s->hash) = *s;
    }
    bigger.used = t->used;
    free(t->slots);
    *t = bigger;
}

/* Adds one to key's count, inserting a copy of the key if it is new. */
static void hash_increment(HashTable *t, const char *key, uint32_t len) {
    uint32_t hash = hash_fnv1a(key, len);
    HashSlot *s = hash_find(t, key, len, hash);
    if (!s->key) {
        if ((t->used + 1) * 10 > t->capacity * 7) {
            hash_grow(t);
            s = hash_find(t, key, len, hash);
        }
        s->key = bench_alloc(len);
        memcpy(s->key, key, len);
        s->key_len = len;
        s->hash = hash;
        s->count = 0;
        t->used++;
    }
    s->count++;
}

/* Empties slot index i and shifts later entries of its probe run back into the gap. */
static void hash_remove_at(HashTable *t, uint32_t i) {
    uint32_t mask = t->capacity - 1;
    free(t->slots[i].key);
    t->slots[i].key = NULL;
    t->used--;
    for (uint32_t j = (i + 1) & mask; t->slots[j].key; j = (j + 1) & mask) {
        uint32_t home = t->slots[j].hash & mask;
        /* the entry at j may move to the gap at i if its home is not in (i, j] */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            t->slots[i] = t->slots[j];
            t->slots[j].key = NULL;
            i = j;
        }
    }
}

/* Writes word number `id` (letters a-z, 3 to 12 of them) into buf; returns its length. */
static uint32_t hash_make_word(uint32_t id, char *buf) {
    uint32_t x = id * 2654435761u;
    uint32_t len = 3 + id % 10;
    for (uint32_t i = 0; i < len; i++) {
        buf[i] = (char)('a' + (x >> 27) % 26);
        x = x * 1103515245u + 12345u + id;
    }
    return len;
}

int main(int argc, char **argv) {
    uint32_t n = (uint32_t)bench_size_arg(argc, argv, 1000000, 1, 50000000);
    uint32_t vocabulary = n / 4 + 1;
    HashTable table;
    hash_init(&table, 16);
    BenchRng rng = bench_rng_new(0x4a54);
    char word[16];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = bench_rng_below(&rng, vocabulary), b = bench_rng_below(&rng, vocabulary);
        uint32_t len = hash_make_word(a < b ? a : b, word);   /* skewed towards small ids */
        hash_increment(&table, word, len);
    }
    uint32_t distinct = table.used, found = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = hash_make_word(bench_rng_below(&rng, vocabulary * 2), word);
        found += hash_find(&table, word, len, hash_fnv1a(word, len))->key != NULL;
    }
    for (uint32_t i = 0; i < table.capacity; i++)
        while (table.slots[i].key && table.slots[i].count % 2 == 1)
            hash_remove_at(&table, i);
    uint64_t checksum = 0;
    for (uint32_t i = 0; i < table.capacity; i++) {
        HashSlot *s = &table.slots[i];
        if (s->key) {
            checksum += (uint64_t)s->hash * s->count;
            free(s->key);
        }
    }
    printf("hashtable n=%u: %u distinct, %u found, %u kept, checksum %016llx\n", n, distinct,
           found, table.used, (unsigned long long)checksum);
    free(table.slots);
    return 0;
}
