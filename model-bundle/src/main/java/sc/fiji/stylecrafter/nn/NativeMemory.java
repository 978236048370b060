package sc.fiji.stylecrafter.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Native memory housekeeping between the big phases of a run. libtorch allocates CPU tensors with glibc's malloc;
 * after a UNet pass frees gigabytes of activations, glibc may keep the pages, and the VAE decode that follows then
 * runs out of memory. {@link #trim()} hands free pages back ({@code malloc_trim(0)}); it does nothing off glibc.
 */
public final class NativeMemory {

	private interface LibC extends Library {
		int malloc_trim(long pad);
	}

	private static final LibC LIBC = load();

	private NativeMemory() {}

	private static LibC load() {
		if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) return null;
		try {
			return Native.load("c", LibC.class);
		}
		catch (UnsatisfiedLinkError | NoClassDefFoundError | RuntimeException e) {
			return null; // not glibc: nothing to trim
		}
	}

	/** Whether this process runs on glibc (whose malloc {@link #trim()} and the launcher's tunables act on). */
	public static boolean isGlibc() {
		return LIBC != null;
	}

	/** Returns free heap pages to the system where the C library allows it. */
	public static void trim() {
		if (LIBC == null) return;
		try {
			LIBC.malloc_trim(0);
		}
		catch (UnsatisfiedLinkError e) {
			// a Linux C library without malloc_trim (musl): nothing to trim
		}
	}

	/** The resident memory of this process in MB (Linux), or -1. */
	public static long residentMb() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
			}
		}
		catch (IOException | RuntimeException e) {
			return -1;
		}
		return -1;
	}
}
