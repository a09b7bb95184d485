/* echo_arg0.c - the program the spawn benchmark starts: prints nothing and
 * exits 0 (the cost measured is starting and ending a process). Built for
 * the host and for WASIX from this one source. */
int main(void)
{
    return 0;
}
