# Command substitution, nested and with backquotes.
x=$(/bin/echo hello)
echo "x=$x"
echo "nested: $(/bin/echo $(/bin/echo inner) outer)"
n=`/bin/printf 'a\nb\n' | /bin/wc -l`
echo "lines: $n"
echo "status in subst: $(/bin/false; echo $?)"
