/* A stand-in for Windows' bcryptprimitives.dll, for running the Windows
 * build under Debian's wine 8, which lacks it: Rust's standard library
 * takes its random bytes from ProcessPrng there (hash map seeds). This one
 * asks RtlGenRandom (advapi32's SystemFunction036), which wine has. Used by
 * scripts/test-windows.sh only; never shipped. */
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG len);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
