# cd changes where every relative path resolves, also in the programs run there.
cd /tmp
/bin/echo data > file
/bin/cat file
/bin/cat /tmp/file
/bin/ls
/bin/pwd
cd ..
/bin/cat tmp/file
cd /bin && /bin/ls echo cat
