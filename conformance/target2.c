/* The second object of libtarget.so: another local `dup`. */
static int dup(void) { return 6; }
int call_b(void) { return dup() + 1; }
