/* true - exits 0, ignoring its arguments. */
int main(void) { return 0; }
