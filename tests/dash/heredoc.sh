# Here-documents: expanded, quoted, into a pipeline.
name=world
/bin/cat <<END
hello $name
sum $((2 + 3)) and $(/bin/echo subst)
END
/bin/cat <<'END'
kept $name
END
/bin/wc -l <<END | /bin/cat
1
2
END
