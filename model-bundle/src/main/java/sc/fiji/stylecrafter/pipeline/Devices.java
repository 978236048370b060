package sc.fiji.stylecrafter.pipeline;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Choosing the device, one job of loading: what a user's choice means on this machine, and how to name it. */
public final class Devices {

	private Devices() {}

	/** The device a user's choice means: "auto" takes the GPU when one is usable. */
	public static Device choose(String choice) {
		int gpus = Engine.getInstance().getGpuCount();
		switch (choice == null ? "auto" : choice.toLowerCase(java.util.Locale.ROOT)) {
			case "auto": return gpus > 0 ? Device.gpu() : Device.cpu();
			case "cpu": return Device.cpu();
			case "gpu": case "cuda":
				if (gpus == 0) {
					throw new IllegalArgumentException("a GPU was asked for but none is usable (the PyTorch engine sees no CUDA device; "
						+ "this build ships the CPU engine). Choose device cpu.");
				}
				return Device.gpu();
			default: throw new IllegalArgumentException("device '" + choice + "' is not known; allowed: auto, cpu, gpu");
		}
	}

	/** The device in a user's words: {@code cpu}, {@code gpu 0}, ... */
	public static String label(Device device) {
		return device.isGpu() ? "gpu " + device.getDeviceId() : device.getDeviceType();
	}
}
