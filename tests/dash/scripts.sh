# Scripts run by path (#! to /bin/sh), with arguments; exec replaces the shell.
/bin/printf '#!/bin/sh\necho "script got $1 and $2"\nexit 9\n' > /tmp/s
/tmp/s one two; echo "script status: $?"
/bin/printf 'echo not executable by #!\n' > /tmp/plain
exec /bin/echo "exec replaced the shell"
echo "never printed"
