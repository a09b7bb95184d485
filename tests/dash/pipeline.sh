# Pipelines of one to four stages through programs of our own.
/bin/echo one two three | /bin/wc -w
/bin/printf 'a\nb\nc\n' | /bin/cat | /bin/wc -l
/bin/echo through | /bin/cat | /bin/cat | /bin/cat
/bin/printf 'x\ny\nz\n' | /bin/head -n 2 | /bin/cat
/bin/false | /bin/true; echo "last stage: $?"
/bin/true | /bin/false; echo "last stage: $?"
