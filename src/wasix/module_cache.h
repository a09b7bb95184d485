/*
 * module_cache.h - the modules that exec and spawn load, shared by every
 * process of one `spindle run` (module_cache.c).
 */
#ifndef SPINDLE_MODULE_CACHE_H
#define SPINDLE_MODULE_CACHE_H

#include "engine/module.h"

typedef struct ModuleCache ModuleCache;

/* The debug variable: when set (to anything but "0") in the host's
 * environment, the root reports the cache's counts on stderr at the end. */
#define MODULE_CACHE_DEBUG_ENV "SPINDLE_DEBUG_MODULE_CACHE"

/* A cache in memory shared by the caller and every process forked from it
 * afterwards (the root maps it before its first fork). NULL when it cannot
 * be mapped (exec then decodes every time). */
ModuleCache *module_cache_new(void);

/* Unmaps the cache (the root, at the end; with the debug variable set,
 * reports the counts first). NULL is fine. */
void module_cache_free(ModuleCache *c);

/* The module of the binary bytes[0..len): built from the cache's image when
 * a process of the tree has loaded the same bytes before, else decoded,
 * validated and translated (module_load) and then published for the
 * others. c may be NULL (no cache: module_load). Same results as
 * module_load: SP_OK and *out (owned by the caller), or the error. */
SpResult module_cache_load(ModuleCache *c, const uint8_t *bytes, size_t len, Module **out,
                           SpDiag *diag);

/* How many loads of the whole tree decoded and how many reused an image. */
void module_cache_counts(const ModuleCache *c, uint64_t *decoded, uint64_t *reused);

#endif
