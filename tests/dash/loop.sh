# Loops that exec a program each time round (fork + exec + join, 200 times).
i=0
while [ $i -lt 200 ]; do /bin/echo "line $i"; i=$((i + 1)); done | /bin/wc -l
for w in alpha beta gamma; do /bin/echo "$w"; done
