package sc.fiji.stylecrafter.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;

/**
 * What the NVIDIA driver itself says, through its own library ({@code libcuda.so.1}, {@code nvcuda.dll}) and the CUDA
 * driver API: whether it is there, the newest CUDA version it supports, and each GPU's name, memory and compute
 * capability. Asked of the driver, not of a CUDA runtime ({@code libcudart}, which a desktop with only the driver does not
 * have, and which is what DJL's own GPU count looks for). The library may be replaced with the system property
 * {@value #LIBRARY_PROPERTY} (tests use a stand-in).
 */
public final class NvidiaDriver {

	/** System property: the driver library to ask instead of the platform's. */
	public static final String LIBRARY_PROPERTY = "stylecrafter.cuda.driver";

	/** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR} and {@code _MINOR} of the CUDA driver API. */
	private static final int CC_MAJOR = 75, CC_MINOR = 76;
	/** {@code CUDA_ERROR_NO_DEVICE}. */
	private static final int NO_DEVICE = 100;

	/** One GPU as the driver sees it (after {@code CUDA_VISIBLE_DEVICES}). */
	public record Gpu(int index, String name, long memoryBytes, int major, int minor) {

		/** Compute capability times ten: 75 for 7.5. */
		public int capability() {
			return major * 10 + minor;
		}

		public String describe() {
			return String.format(Locale.ROOT, "GPU %d: %s, %.1f GB, compute capability %d.%d", index, name, memoryBytes / 1e9, major, minor);
		}
	}

	/**
	 * @param library the library asked
	 * @param found whether it could be loaded and initialised
	 * @param cudaVersion the newest CUDA version the driver supports, as the driver API gives it (12080 for 12.8); 0 when not found
	 * @param gpus the GPUs it reports
	 * @param problem why no driver answered, or {@code null}
	 */
	public record Report(String library, boolean found, int cudaVersion, List<Gpu> gpus, String problem) {

		public String cudaVersionText() {
			return cudaVersion / 1000 + "." + (cudaVersion % 1000) / 10;
		}
	}

	/** The driver API calls used here (all return a {@code CUresult}, 0 for success). */
	public interface CudaDriverApi extends Library {
		int cuInit(int flags);
		int cuDriverGetVersion(IntByReference version);
		int cuDeviceGetCount(IntByReference count);
		int cuDeviceGet(IntByReference device, int ordinal);
		int cuDeviceGetName(byte[] name, int length, int device);
		int cuDeviceTotalMem_v2(LongByReference bytes, int device);
		int cuDeviceGetAttribute(IntByReference value, int attribute, int device);
	}

	private NvidiaDriver() {}

	/** The driver library of this platform, or the one {@value #LIBRARY_PROPERTY} names; {@code null} where there is none (macOS). */
	public static String libraryName() {
		String given = System.getProperty(LIBRARY_PROPERTY);
		if (given != null && !given.isBlank()) return given;
		if (Platform.isWindows()) return "nvcuda";
		if (Platform.isLinux()) return "libcuda.so.1";
		return null;
	}

	/** Asks the driver; never throws. */
	public static Report probe() {
		String name = libraryName();
		if (name == null) return new Report("(none)", false, 0, List.of(), "NVIDIA's CUDA does not exist for " + System.getProperty("os.name"));
		CudaDriverApi cu;
		try {
			cu = Native.load(name, CudaDriverApi.class);
		}
		catch (UnsatisfiedLinkError | RuntimeException e) {
			return new Report(name, false, 0, List.of(), "no NVIDIA driver is installed (" + name + " cannot be loaded)");
		}
		try {
			IntByReference version = new IntByReference();
			int rc = cu.cuDriverGetVersion(version);
			if (rc != 0) return new Report(name, false, 0, List.of(), "the NVIDIA driver does not answer (cuDriverGetVersion error " + rc + ")");
			rc = cu.cuInit(0);
			if (rc == NO_DEVICE) return new Report(name, true, version.getValue(), List.of(), null);
			if (rc != 0) {
				return new Report(name, false, version.getValue(), List.of(), "the NVIDIA driver is installed but does not start (cuInit error "
					+ rc + "; after a driver update, restart the computer)");
			}
			IntByReference count = new IntByReference();
			rc = cu.cuDeviceGetCount(count);
			if (rc != 0) return new Report(name, false, version.getValue(), List.of(), "the NVIDIA driver cannot count GPUs (error " + rc + ")");
			List<Gpu> gpus = new ArrayList<>();
			for (int i = 0; i < count.getValue(); i++) {
				IntByReference dev = new IntByReference();
				if (cu.cuDeviceGet(dev, i) != 0) continue;
				byte[] raw = new byte[256];
				cu.cuDeviceGetName(raw, raw.length, dev.getValue());
				int end = 0;
				while (end < raw.length && raw[end] != 0) end++;
				LongByReference mem = new LongByReference();
				cu.cuDeviceTotalMem_v2(mem, dev.getValue());
				IntByReference major = new IntByReference(), minor = new IntByReference();
				cu.cuDeviceGetAttribute(major, CC_MAJOR, dev.getValue());
				cu.cuDeviceGetAttribute(minor, CC_MINOR, dev.getValue());
				gpus.add(new Gpu(i, new String(raw, 0, end, StandardCharsets.UTF_8), mem.getValue(), major.getValue(), minor.getValue()));
			}
			return new Report(name, true, version.getValue(), List.copyOf(gpus), null);
		}
		catch (UnsatisfiedLinkError | RuntimeException e) {
			return new Report(name, false, 0, List.of(), name + " is not a usable NVIDIA driver (" + e.getMessage() + ")");
		}
	}
}
