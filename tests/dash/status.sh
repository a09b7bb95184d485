# Exit statuses: subshells, negation, a missing command, a script's own end.
(exit 3); echo "subshell: $?"
/bin/false; echo "false: $?"
! /bin/true; echo "negated: $?"
nosuch 2> /dev/null; echo "missing: $?"
(cd /bin; /bin/pwd); /bin/pwd
if /bin/test -d /bin; then echo "test -d: yes"; fi
/bin/sh -c 'exit 7'; echo "sh -c: $?"
exit 4
# exit: 4
