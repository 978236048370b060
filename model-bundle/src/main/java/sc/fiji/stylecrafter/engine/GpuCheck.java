package sc.fiji.stylecrafter.engine;

import java.util.List;
import sc.fiji.stylecrafter.engine.install.LibtorchArchive;

/**
 * Whether the GPU can be used, and if not the exact reason, from what the NVIDIA driver says ({@link NvidiaDriver}) and
 * what libtorch itself says ({@link EngineState#libtorchHasCuda()}); never from a guess.
 */
public final class GpuCheck {

	private GpuCheck() {}

	/** Why the driver cannot run the CUDA runtime, or {@code null} when it can (at least one suitable GPU). */
	public static String driverProblem(NvidiaDriver.Report d) {
		if (!d.found()) return d.problem();
		if (d.cudaVersion() < LibtorchArchive.MIN_DRIVER_CUDA) {
			return "the NVIDIA driver supports CUDA " + d.cudaVersionText() + ", and the GPU runtime (CUDA 12.8) needs a driver for CUDA 12.8 or newer "
				+ "(version 570 or newer): update the NVIDIA driver";
		}
		if (d.gpus().isEmpty()) return "the NVIDIA driver sees no GPU (is CUDA_VISIBLE_DEVICES set to none?)";
		if (suitable(d).isEmpty()) {
			return "no GPU has compute capability 7.5 or higher (" + String.join("; ", d.gpus().stream().map(NvidiaDriver.Gpu::describe).toList()) + ")";
		}
		return null;
	}

	/** The GPUs of compute capability 7.5 or higher. */
	public static List<NvidiaDriver.Gpu> suitable(NvidiaDriver.Report d) {
		return d.gpus().stream().filter(g -> g.capability() >= LibtorchArchive.MIN_CAPABILITY).toList();
	}

	/**
	 * The GPU {@code device=gpu} takes: the first of compute capability 7.5 or higher, in the driver's numbering (which
	 * CUDA uses too).
	 *
	 * @param gpu that GPU, or {@code null} when none can be used
	 * @param problem why none can be used, or {@code null}
	 * @param usable every GPU that can be used (for {@code gpu:N})
	 */
	public record Verdict(NvidiaDriver.Gpu gpu, String problem, List<NvidiaDriver.Gpu> usable) {

		Verdict(NvidiaDriver.Gpu gpu, String problem) {
			this(gpu, problem, gpu == null ? List.of() : List.of(gpu));
		}
	}

	/** Whether a GPU can be used in this process, and which. Loads the engine (the runtime choice is made first) and asks libtorch. */
	public static Verdict gpu() {
		RuntimeSelection.Choice choice = RuntimeSelection.select();
		NvidiaDriver.Report driver = NvidiaDriver.probe();
		String why = driverProblem(driver);
		if (why != null) return new Verdict(null, why);
		if (EngineState.libtorchHasCuda()) return new Verdict(suitable(driver).get(0), null, suitable(driver));
		if (choice.runtime() == null) {
			return new Verdict(null, "the libtorch in use is the CPU one: " + choice.reason() + ". Install the GPU runtime (Plugins > StyleCrafter > "
				+ "Install GPU Runtime..., or: stylecrafter runtime install) and restart");
		}
		return new Verdict(null, "libtorch from " + choice.runtime().libDir() + " reports no usable CUDA device");
	}
}
