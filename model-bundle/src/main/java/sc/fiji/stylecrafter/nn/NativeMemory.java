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

		int setenv(String name, String value, int overwrite);

		String getenv(String name);
	}

	/** libtorch's switch (c10, read once, at its first allocation): large CPU tensors 2 MB-aligned on huge pages. */
	public static final String THP_VARIABLE = "THP_MEM_ALLOC_ENABLE";
	/** {@code -Dstylecrafter.thp=false} leaves libtorch's allocations on normal pages. */
	public static final String THP_PROPERTY = "stylecrafter.thp";

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

	/**
	 * Asks libtorch to put large CPU tensors on transparent huge pages ({@value #THP_VARIABLE}=1 in this process's
	 * environment, through the C library, before the engine loads): a full-size UNet call then faults in 2 MB pages
	 * instead of 4 kB ones (a video call spent a quarter of its CPU time in the kernel without), which is what the
	 * launcher's glibc tunable did, now also in Fiji, whose start the user does not control. Linux only; a value the
	 * user set, or {@code -Dstylecrafter.thp=false}, is left alone. Takes effect only if libtorch has not allocated yet.
	 *
	 * @return whether the variable is now 1 in the process environment
	 */
	public static boolean enableHugePagesForTensors() {
		if (LIBC == null) return false;
		try {
			if (!"false".equalsIgnoreCase(System.getProperty(THP_PROPERTY)) && LIBC.getenv(THP_VARIABLE) == null) LIBC.setenv(THP_VARIABLE, "1", 0);
		}
		catch (UnsatisfiedLinkError e) {
			return false;
		}
		return hugePagesForTensors();
	}

	/** Whether {@value #THP_VARIABLE} is 1 in this process's environment (as the C library, and so libtorch, sees it). */
	public static boolean hugePagesForTensors() {
		if (LIBC == null) return false;
		try {
			return "1".equals(LIBC.getenv(THP_VARIABLE));
		}
		catch (UnsatisfiedLinkError e) {
			return false;
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
		long kb = statusKb("VmRSS");
		return kb < 0 ? -1 : kb / 1024;
	}

	/** A kB line of {@code /proc/self/status} ({@code VmRSS}, {@code VmHWM}, {@code RssAnon}, ...), or -1 (not Linux, no such line). */
	public static long statusKb(String key) {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith(key + ":")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
			}
		}
		catch (IOException | RuntimeException e) {
			return -1;
		}
		return -1;
	}
}
