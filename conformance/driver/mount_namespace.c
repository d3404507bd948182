/*
 * The private mount namespace an F_OBJ case's child runs in: a fresh tmpfs
 * as the root, a bpffs at BASE/bpf, and the fixtures the paths of PATHS
 * (region.c) are about; probe_ns tells main whether this works here (root).
 *
 * Separate because it is the one part of the driver that changes the
 * machine's state (mounts, chroot): kept small and in one place.
 */
#include "driver.h"

/* The private mount namespace of an F_OBJ case: a fresh tmpfs is the root
 * (chroot), so that nothing a library does with a path ("/x", "link" from
 * "/", ...) can reach the host's filesystem; BASE/bpf is a bpffs. */
int setup_ns(char *why, size_t n)
{
	static const char *const DIRS[] = {
		BASE, BASE "/bpf", BASE "/tmp", BASE "/ro",
	};
	int i, fd;

#define NS_FAIL(what) do { snprintf(why, n, "%s: %s", what, strerror(errno)); return -1; } while (0)
	if (unshare(CLONE_NEWNS))
		NS_FAIL("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		NS_FAIL("mount --make-rprivate /");
	if (mount("bpflink-conformance", "/tmp", "tmpfs", 0, "mode=0755,size=4m"))
		NS_FAIL("mount tmpfs on /tmp");
	if (chroot("/tmp") || chdir("/"))
		NS_FAIL("chroot into the tmpfs");
	if (mkdir("/tmp", 0755))
		NS_FAIL("/tmp");
	for (i = 0; i < NF(DIRS); i++)
		if (mkdir(DIRS[i], 0755))
			NS_FAIL(DIRS[i]);
	if (mount("bpf", BASE "/bpf", "bpf", 0, NULL))
		NS_FAIL("mount bpffs");
	if (mkdir(BASE "/bpf/sub", 0755) || mkdir(BASE "/bpf/dir", 0755) ||
	    symlink("fakepin", BASE "/bpf/pinned") || symlink("fakepin", BASE "/bpf/sub/pinned"))
		NS_FAIL("bpffs fixtures");
	fd = open(BASE "/tmp/pinned", O_CREAT | O_WRONLY, 0644);
	if (fd < 0 || close(fd))
		NS_FAIL("tmp/pinned");
	fd = open(BASE "/file", O_CREAT | O_WRONLY, 0644);
	if (fd < 0 || close(fd))
		NS_FAIL("file");
	if (mount("ro", BASE "/ro", "tmpfs", MS_RDONLY, "size=64k"))
		NS_FAIL("mount read-only tmpfs");
	if (symlink("missing", BASE "/dangling") || symlink("loop", BASE "/loop") ||
	    symlink("bpf", BASE "/tobpf"))
		NS_FAIL("symlinks");
	if (chdir(BASE))
		NS_FAIL("chdir");
#undef NS_FAIL
	return 0;
}

int probe_ns(void)
{
	pid_t pid = fork();
	int status;
	char why[200];

	if (pid < 0)
		return 0;
	if (pid == 0)
		_exit(setup_ns(why, sizeof(why)) ? 1 : 0);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
