/*
 * module_image.h - a loaded Module (decoded, validated, translated) as one
 * flat byte string, and back.
 *
 * The image holds everything module_free frees: the binary, the types,
 * imports, exports, segments, names and every function's translated code.
 * Reading it back costs one allocation and one copy per part, no decoding,
 * validation or translation; the Module it gives is owned like one from
 * module_load (module_free frees it) and behaves the same. What it leaves
 * out: the decoder's byte offsets for validation diagnostics (the module is
 * already valid).
 *
 * Translated code holds the interpreter's handler addresses, so an image is
 * only good in a process running the same mapping of the same executable
 * as the one that wrote it: itself, or a process forked from it (the header
 * records the handler table's address and module_image_read refuses an
 * image made elsewhere).
 */
#ifndef SPINDLE_MODULE_IMAGE_H
#define SPINDLE_MODULE_IMAGE_H

#include "engine/module.h"

/* The image's size in bytes (m loaded by module_load, not yet run by a
 * compiled tier). */
size_t module_image_size(const Module *m);

/* Writes m's image into out (module_image_size(m) bytes). */
void module_image_write(const Module *m, uint8_t *out, size_t size);

/* Builds a Module from an image of len bytes into *out: true, or false
 * (nothing allocated) when memory ran out or img is not an image this
 * process can use (truncated, another version, another executable). */
bool module_image_read(const uint8_t *img, size_t len, Module **out);

/* The module's binary inside an image (its first bytes: a cache can compare
 * a file with it before reading the rest), or NULL when img is no image. */
const uint8_t *module_image_binary(const uint8_t *img, size_t len, size_t *binary_len);

#endif
