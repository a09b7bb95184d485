/*
 * sleep - waits for the number of seconds given (a decimal fraction such
 * as 0.25 is fine; several arguments add up).
 */
#include <stdlib.h>
#include <time.h>

#include "guestfs_util.h"

int main(int argc, char **argv)
{
    if (argc < 2) return usage_error("sleep", "usage: sleep SECONDS...", 2);
    double total = 0;
    for (int i = 1; i < argc; i++) {
        char *end;
        double s = strtod(argv[i], &end);
        if (*end || end == argv[i] || s < 0) return usage_error("sleep", "invalid time interval", 2);
        total += s;
    }
    struct timespec ts = {(time_t)total, (long)((total - (double)(time_t)total) * 1e9)};
    while (nanosleep(&ts, &ts) != 0)
        if (errno != EINTR) return complain("sleep", "nanosleep", errno);
    return 0;
}
