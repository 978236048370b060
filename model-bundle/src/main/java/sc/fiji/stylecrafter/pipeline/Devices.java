package sc.fiji.stylecrafter.pipeline;

import ai.djl.Device;
import sc.fiji.stylecrafter.runtime.GpuCheck;
import sc.fiji.stylecrafter.runtime.NvidiaDriver;

/**
 * Choosing the device, one job of loading: what a user's choice means on this machine, and how to name it. Whether the
 * GPU can be used is asked of the NVIDIA driver and of libtorch ({@link GpuCheck}), not of DJL's GPU count (which looks
 * for a CUDA toolkit and misses the GPU on most desktops).
 */
public final class Devices {

	private Devices() {}

	/** The device a user's choice means: "auto" takes the GPU when one is usable. */
	public static Device choose(String choice) {
		EngineSettings.prepare();
		switch (choice == null ? "auto" : choice.toLowerCase(java.util.Locale.ROOT)) {
			case "auto": return GpuCheck.gpuProblem() == null ? firstGpu() : Device.cpu();
			case "cpu": return Device.cpu();
			case "gpu": case "cuda":
				String why = GpuCheck.gpuProblem();
				if (why != null) throw new IllegalArgumentException("a GPU was asked for but cannot be used: " + why + ". Or choose device cpu.");
				return firstGpu();
			default: throw new IllegalArgumentException("device '" + choice + "' is not known; allowed: auto, cpu, gpu");
		}
	}

	/** The first GPU of compute capability 7.5 or higher, in the driver's numbering (which CUDA uses too). */
	private static Device firstGpu() {
		return Device.gpu(GpuCheck.suitable(NvidiaDriver.probe()).get(0).index());
	}

	/** The device in a user's words: {@code cpu}, {@code gpu 0}, ... */
	public static String label(Device device) {
		return device.isGpu() ? "gpu " + device.getDeviceId() : device.getDeviceType();
	}
}
