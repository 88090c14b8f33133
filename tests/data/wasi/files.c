// Works in the directory given as argv[1]: creates a subdirectory, writes a file, appends to
// it, seeks and reads it back, renames it, lists the directory, then removes what it made.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(x) do { if (!(x)) { printf("failed: %s: %s\n", #x, strerror(errno)); return 1; } } while (0)

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    char sub[256], a[256], b[256];
    snprintf(sub, sizeof sub, "%s/sub", argv[1]);
    snprintf(a, sizeof a, "%s/sub/a.txt", argv[1]);
    snprintf(b, sizeof b, "%s/sub/b.txt", argv[1]);
    CHECK(mkdir(sub, 0755) == 0);
    FILE *f = fopen(a, "w");
    CHECK(f != NULL);
    fputs("first line\n", f);
    fclose(f);
    f = fopen(a, "a");
    CHECK(f != NULL);
    fputs("second line\n", f);
    fclose(f);
    int fd = open(a, O_RDONLY);
    CHECK(fd >= 0);
    CHECK(lseek(fd, 6, SEEK_SET) == 6);
    char buf[64] = {0};
    CHECK(read(fd, buf, 10) == 10);
    printf("read at 6: %s\n", buf);
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    printf("size %lld\n", (long long)st.st_size);
    close(fd);
    CHECK(rename(a, b) == 0);
    CHECK(access(a, F_OK) != 0 && errno == ENOENT);
    DIR *d = opendir(sub);
    CHECK(d != NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') printf("entry %s\n", e->d_name);
    closedir(d);
    errno = 0;
    CHECK(rmdir(sub) != 0 && errno == ENOTEMPTY);
    CHECK(unlink(b) == 0);
    CHECK(rmdir(sub) == 0);
    printf("done\n");
    return 0;
}
