// Copies each file named on the command line to stdout, or stdin if none; 1 if one fails.
#include <stdio.h>

static int copy(FILE *f) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
    return ferror(f) ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc < 2) return copy(stdin);
    int status = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");
        if (!f) {
            perror(argv[i]);
            status = 1;
            continue;
        }
        status |= copy(f);
        fclose(f);
    }
    return status;
}
