# Redirections out, append, in, of stderr, and of a builtin.
/bin/echo first > /tmp/f
/bin/echo second >> /tmp/f
/bin/cat < /tmp/f
/bin/wc -l < /tmp/f
/bin/cat /tmp/nonexistent 2> /dev/null; echo "cat status: $?"
echo builtin > /tmp/g; /bin/cat /tmp/g
/bin/cat /tmp/f /tmp/g > /tmp/h; /bin/wc -l /tmp/h
/bin/echo gone > /dev/null
