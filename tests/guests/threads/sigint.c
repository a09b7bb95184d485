/*
 * sigint.c - the guest of the Ctrl-C tests (tests/procs/ctrl_c.py): it runs
 * on a pseudo-terminal, prints "ready" and spins in pure wasm (no host
 * call in the loop: only a safepoint can deliver), and the driver writes ^C
 * to the terminal. The mode is its first argument:
 *   handler  a callback_signal handler catches SIGINT: prints "got INT",
 *            exits 0 (exit 70 + n names a failed check);
 *   default  no handler: SIGINT's default action ends the process;
 *   ignored  the process inherited SIGINT ignored (proc_signals_get must say
 *            so): ^C changes nothing, it prints "survived" after ~1.5 s.
 */
#include "guest.h"
#include "fds.h"

GUEST_IMPORT("wasix_32v1", "args_sizes_get") uint32_t sg_args_sizes(uint32_t *argc, uint32_t *bytes);
GUEST_IMPORT("wasix_32v1", "args_get") uint32_t sg_args_get(char **argv, char *buf);

enum { SIG_INT = 2 };

static volatile uint32_t got;

GUEST_EXPORT("on_signal") void on_signal(uint32_t sig)
{
    got = sig;
}

static void say(const char *s)
{
    uint32_t n = 0, len = 0;
    while (s[len]) len++;
    fds_write1(1, s, len, &n);
}

/* The first argument's first letter ('h', 'd', 'i'), or 0. */
static char mode(void)
{
    static char *argv[8];
    static char buf[256];
    uint32_t argc = 0, bytes = 0;
    if (sg_args_sizes(&argc, &bytes) != 0 || argc < 2 || argc > 8 || bytes > sizeof buf) return 0;
    if (sg_args_get(argv, buf) != 0) return 0;
    return argv[1][0];
}

/* Spins until got is set or `ns` have passed, checking the clock only every
 * few million iterations (the loop itself makes no host call). */
static void spin(uint64_t ns)
{
    uint64_t end = fds_now() + ns;
    while (!got) {
        for (volatile uint32_t i = 0; i < 4000000 && !got; i++) {}
        if (fds_now() > end) return;
    }
}

GUEST_EXPORT("_start") void guest_start(void)
{
    char m = mode();
    if (m == 'h') {
        wasix_callback_signal("on_signal", 9);
        say("ready\n");
        spin(20000000000ull);
        if (got != SIG_INT) wasix_proc_exit2(71);
        say("got INT\n");
        wasix_proc_exit2(0);
    }
    if (m == 'i') {
        uint32_t n = 0;
        uint8_t d[4] = {0};
        if (wasix_proc_signals_sizes_get(&n) != 0 || n != 1) wasix_proc_exit2(72);
        if (wasix_proc_signals_get(d) != 0 || d[0] != SIG_INT || d[1] != 1) wasix_proc_exit2(73);
        say("ready\n");
        spin(1500000000ull);
        say("survived\n");
        wasix_proc_exit2(0);
    }
    say("ready\n");
    spin(20000000000ull);
    wasix_proc_exit2(74);   /* the default action should have ended it */
}
