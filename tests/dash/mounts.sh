# A second preopen at /w is a mount under the root: cd into it, write, read
# back through every kind of path (relative, absolute, through ..), from dash
# and from the programs it runs; the file lands in the mount's host directory,
# and a listing of / shows the mount point.
# mount: /w
# host-file: /w/f
cd /w
/bin/pwd
echo one > f
/bin/echo two >> f
/bin/cat f
/bin/ls
/bin/ls /w
cd /
/bin/cat w/f
/bin/cat /w/f
/bin/wc -l w/f
cd /w
/bin/cat ../w/f
/bin/ls ../bin/echo ../w
cd ..
/bin/pwd
/bin/ls bin/cat
/bin/ls /
