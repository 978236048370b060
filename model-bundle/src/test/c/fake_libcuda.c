/*
 * A stand-in for the NVIDIA driver library (libcuda.so.1) for NvidiaDriverTest: the CUDA driver API calls StyleCrafter
 * asks, answering with the values given at compile time (-DFAKE_VERSION=12080 -DFAKE_GPUS=2 -DFAKE_MAJOR=8 ...).
 * Written for this project from the driver API's documented signatures; no NVIDIA code.
 */
#include <stddef.h>
#include <string.h>
#include <stdio.h>

#ifndef FAKE_VERSION
#define FAKE_VERSION 12080
#endif
#ifndef FAKE_GPUS
#define FAKE_GPUS 2
#endif
#ifndef FAKE_MAJOR
#define FAKE_MAJOR 8
#endif
#ifndef FAKE_MINOR
#define FAKE_MINOR 6
#endif
#ifndef FAKE_INIT
#define FAKE_INIT 0
#endif

int cuDriverGetVersion(int *v) { *v = FAKE_VERSION; return 0; }
int cuInit(unsigned int flags) { (void) flags; return FAKE_INIT; }
int cuDeviceGetCount(int *n) { *n = FAKE_GPUS; return 0; }
int cuDeviceGet(int *dev, int ordinal) { if (ordinal >= FAKE_GPUS) return 101; *dev = ordinal; return 0; }
int cuDeviceGetName(char *name, int len, int dev) { snprintf(name, (size_t) len, "Fake RTX %d", 4000 + dev); return 0; }
int cuDeviceTotalMem_v2(size_t *bytes, int dev) { *bytes = (size_t) (dev + 1) * 24ull * 1000 * 1000 * 1000; return 0; }
int cuDeviceGetAttribute(int *v, int attr, int dev) {
	(void) dev;
	if (attr == 75) { *v = FAKE_MAJOR; return 0; }
	if (attr == 76) { *v = FAKE_MINOR; return 0; }
	return 1;
}
