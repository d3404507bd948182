/* The uprobe target of the attach conformance cases: a shared library with
 * the symbol shapes libbpf's ELF lookup distinguishes. Built by
 * conformance/run.sh with conformance/target.map:
 *   foo@V1 and foo@@V2 at different offsets (ambiguous by bare name),
 *   a weak and a strong function, two local functions both named dup (only
 *   in .symtab, ambiguous), an import (puts, address 0), plain functions. */
int foo_v1(void) { return 1; }
int foo_v2(void) { return 2; }
__asm__(".symver foo_v1, foo@V1");
__asm__(".symver foo_v2, foo@@V2");
__attribute__((weak)) int wk(void) { return 3; }
int strong(void) { return 4; }
static int dup(void) { return 5; }
int call_a(void) { return dup(); }
extern int puts(const char *);
int say(void) { return puts("x"); }
int multi_one(void) { return 7; }
int multi_two(void) { return 8; }
