package sc.fiji.stylecrafter.engine;

import java.util.Locale;

import ai.djl.Device;

/**
 * A user's choice of device, and what it means on this machine: {@link #AUTO} takes the GPU when one is usable. Whether
 * the GPU can be used is asked of the NVIDIA driver and of libtorch ({@link GpuCheck}), not of DJL's GPU count (which
 * looks for a CUDA toolkit and misses the GPU on most desktops). Hosts (command line, Fiji) speak in choices and
 * labels; only the core resolves them to DJL's devices.
 */
public enum DeviceChoice {
	AUTO, CPU, GPU;

	/** The labels (compile-time constants, for Fiji's parameter annotations), {@link #AUTO} the default. */
	public static final String AUTO_LABEL = "auto";
	public static final String CPU_LABEL = "cpu";
	public static final String GPU_LABEL = "gpu";

	/** The choice's word ({@code auto}, {@code cpu}, {@code gpu}). */
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * @param choice {@code auto}, {@code cpu}, {@code gpu} (or {@code cuda}); {@code null} is {@code auto}
	 * @throws IllegalArgumentException naming the word and what is allowed
	 */
	public static DeviceChoice parse(String choice) {
		String c = choice == null ? AUTO_LABEL : choice.toLowerCase(Locale.ROOT);
		if (c.equals("cuda")) return GPU;
		for (DeviceChoice d : values()) if (d.label().equals(c)) return d;
		throw new IllegalArgumentException("device '" + choice + "' is not known; allowed: auto, cpu, gpu");
	}

	/**
	 * The device this choice means here: {@link #AUTO} the GPU when one is usable, else the CPU.
	 *
	 * @throws IllegalArgumentException for {@link #GPU} when no GPU can be used, saying why
	 */
	public Device resolve() {
		EngineSettings.start();
		if (this == CPU) return Device.cpu();
		GpuCheck.Verdict v = GpuCheck.gpu();
		if (v.gpu() != null) return Device.gpu(v.gpu().index());
		if (this == GPU) throw new IllegalArgumentException("a GPU was asked for but cannot be used: " + v.problem() + ". Or choose device cpu.");
		return Device.cpu();
	}

	/** The device this choice means here, in a user's words ({@link #label(Device)}). */
	public String resolvedLabel() {
		return label(resolve());
	}

	/** The device in a user's words: {@code cpu}, {@code gpu 0}, ... */
	public static String label(Device device) {
		return device.isGpu() ? "gpu " + device.getDeviceId() : device.getDeviceType();
	}
}
