# exec's module cache (src/wasix/module_cache.c): a program exec'ed again is
# built from the image the first exec published, not decoded again; a file
# changed between two execs runs its new code.
# module cache: 5 decoded, 32 reused
# (decoded: echo, wc, cat, true, false; reused: echo 29 times, cat twice, true once)
i=0
while [ $i -lt 30 ]; do /bin/echo "line $i"; i=$((i + 1)); done | /bin/wc -l
cat /bin/true > /tmp/p; /tmp/p; echo "true: $?"
cat /bin/false > /tmp/p; /tmp/p; echo "false over it: $?"
cat /bin/true > /tmp/p; /tmp/p; echo "true again: $?"
