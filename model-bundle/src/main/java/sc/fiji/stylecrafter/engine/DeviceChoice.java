package sc.fiji.stylecrafter.engine;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

import ai.djl.Device;

/**
 * A user's choice of device, and what it means on this machine: {@link #AUTO} takes the GPU when one is usable,
 * {@code gpu:N} one GPU of several (numbered as the NVIDIA driver and CUDA number them, within
 * {@code CUDA_VISIBLE_DEVICES} where that is set). Whether a GPU can be used is asked of the NVIDIA driver and of
 * libtorch ({@link GpuCheck}), not of DJL's GPU count (which looks for a CUDA toolkit and misses the GPU on most
 * desktops). Hosts (command line, Fiji) speak in choices and labels; only the core resolves them to DJL's devices.
 */
public final class DeviceChoice {

	/** The kinds of choice. */
	public enum Kind {
		AUTO, CPU, GPU
	}

	/** The GPU when one is usable, else the CPU (the default). */
	public static final DeviceChoice AUTO = new DeviceChoice(Kind.AUTO, -1);
	public static final DeviceChoice CPU = new DeviceChoice(Kind.CPU, -1);
	/** The first usable GPU. */
	public static final DeviceChoice GPU = new DeviceChoice(Kind.GPU, -1);

	/** The labels (compile-time constants, for Fiji's parameter annotations), {@link #AUTO} the default. */
	public static final String AUTO_LABEL = "auto";
	public static final String CPU_LABEL = "cpu";
	public static final String GPU_LABEL = "gpu";

	private final Kind kind;
	/** The GPU's number, or -1 for the first usable one. */
	private final int index;

	private DeviceChoice(Kind kind, int index) {
		this.kind = kind;
		this.index = index;
	}

	/** GPU number {@code index} ({@code gpu:N}). */
	public static DeviceChoice gpu(int index) {
		if (index < 0) throw new IllegalArgumentException("GPU number " + index + " is not allowed; GPUs are numbered from 0");
		return new DeviceChoice(Kind.GPU, index);
	}

	public Kind kind() {
		return kind;
	}

	/** The choice's word ({@code auto}, {@code cpu}, {@code gpu}, {@code gpu:1}). */
	public String label() {
		return kind.name().toLowerCase(Locale.ROOT) + (index >= 0 ? ":" + index : "");
	}

	/**
	 * @param choice {@code auto}, {@code cpu}, {@code gpu} (or {@code cuda}), {@code gpu:N} (or {@code cuda:N});
	 *          {@code null} is {@code auto}
	 * @throws IllegalArgumentException naming the word and what is allowed
	 */
	public static DeviceChoice parse(String choice) {
		String c = choice == null ? AUTO_LABEL : choice.trim().toLowerCase(Locale.ROOT);
		switch (c) {
			case AUTO_LABEL:
				return AUTO;
			case CPU_LABEL:
				return CPU;
			case GPU_LABEL:
			case "cuda":
				return GPU;
			default:
				break;
		}
		if (c.matches("(gpu|cuda):\\d{1,3}")) return gpu(Integer.parseInt(c.substring(c.indexOf(':') + 1)));
		throw new IllegalArgumentException("device '" + choice + "' is not known; allowed: auto, cpu, gpu, or gpu:N for GPU number N (gpu:0, gpu:1, ...)");
	}

	/**
	 * The device this choice means here: {@link #AUTO} the GPU when one is usable, else the CPU.
	 *
	 * @throws IllegalArgumentException for a GPU when none (or not the one asked for) can be used, saying why
	 */
	public Device resolve() {
		EngineSettings.start();
		if (kind == Kind.CPU) return Device.cpu();
		GpuCheck.Verdict v = GpuCheck.gpu();
		if (v.gpu() == null) {
			if (kind == Kind.GPU) throw new IllegalArgumentException("a GPU was asked for but cannot be used: " + v.problem() + ". Or choose device cpu.");
			return Device.cpu();
		}
		if (index < 0) return Device.gpu(v.gpu().index());
		List<NvidiaDriver.Gpu> usable = v.usable();
		for (NvidiaDriver.Gpu g : usable) if (g.index() == index) return Device.gpu(index);
		throw new IllegalArgumentException("GPU " + index + " cannot be used here; usable: " + String.join("; ", usable.stream().map(g -> g.describe()
			+ " (gpu:" + g.index() + ")").toList()) + (usable.isEmpty() ? "none" : ""));
	}

	/** The device this choice means here, in a user's words ({@link #label(Device)}). */
	public String resolvedLabel() {
		return label(resolve());
	}

	/** The device in a user's words: {@code cpu}, {@code gpu 0}, ... */
	public static String label(Device device) {
		return device.isGpu() ? "gpu " + device.getDeviceId() : device.getDeviceType();
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof DeviceChoice d && d.kind == kind && d.index == index;
	}

	@Override
	public int hashCode() {
		return Objects.hash(kind, index);
	}

	@Override
	public String toString() {
		return label();
	}
}
