package sc.fiji.stylecrafter.engine;

import ai.djl.Device;

/**
 * Choosing the device, one job of loading: what a user's choice means on this machine, and how to name it. Whether the
 * GPU can be used is asked of the NVIDIA driver and of libtorch ({@link GpuCheck}), not of DJL's GPU count (which looks
 * for a CUDA toolkit and misses the GPU on most desktops).
 */
public final class Devices {

	/** The choices a user has (compile-time constants, for Fiji's parameter annotations), the first the default. */
	public static final String AUTO = "auto";
	public static final String CPU = "cpu";
	public static final String GPU = "gpu";

	private Devices() {}

	/** The device a user's choice means: "auto" takes the GPU when one is usable. */
	public static Device choose(String choice) {
		EngineSettings.start();
		switch (choice == null ? AUTO : choice.toLowerCase(java.util.Locale.ROOT)) {
			case AUTO: {
				GpuCheck.Verdict v = GpuCheck.gpu();
				return v.gpu() != null ? Device.gpu(v.gpu().index()) : Device.cpu();
			}
			case CPU: return Device.cpu();
			case GPU: case "cuda": {
				GpuCheck.Verdict v = GpuCheck.gpu();
				if (v.gpu() == null) throw new IllegalArgumentException("a GPU was asked for but cannot be used: " + v.problem() + ". Or choose device cpu.");
				return Device.gpu(v.gpu().index());
			}
			default: throw new IllegalArgumentException("device '" + choice + "' is not known; allowed: auto, cpu, gpu");
		}
	}

	/** The device in a user's words: {@code cpu}, {@code gpu 0}, ... */
	public static String label(Device device) {
		return device.isGpu() ? "gpu " + device.getDeviceId() : device.getDeviceType();
	}
}
