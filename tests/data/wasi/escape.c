// Tries to leave the preopened directory argv[1] in several ways; prints what each got. Every
// attempt must fail: the exit status is the number that succeeded.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int try_open(const char *path) {
    errno = 0;
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        printf("%s: opened!\n", path);
        close(fd);
        return 1;
    }
    printf("%s: %s\n", path, strerror(errno));
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    char path[512];
    int escaped = 0;
    snprintf(path, sizeof path, "%s/../outside.txt", argv[1]);
    escaped += try_open(path);
    snprintf(path, sizeof path, "%s/sub/../../outside.txt", argv[1]);
    escaped += try_open(path);
    snprintf(path, sizeof path, "%s/link_out", argv[1]);
    escaped += try_open(path);
    escaped += try_open("/etc/passwd");
    snprintf(path, sizeof path, "%s/inside.txt", argv[1]);
    if (!try_open(path)) printf("cannot open a file inside the preopen\n");
    return escaped;
}
