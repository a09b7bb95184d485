/* false - exits 1, ignoring its arguments. */
int main(void) { return 1; }
