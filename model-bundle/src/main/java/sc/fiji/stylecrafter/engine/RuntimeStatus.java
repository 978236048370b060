package sc.fiji.stylecrafter.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import sc.fiji.stylecrafter.engine.install.InstalledRuntime;
import sc.fiji.stylecrafter.engine.install.LibtorchArchive;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;

/**
 * The GPU runtime's state in plain words, for {@code stylecrafter runtime status} and the Fiji command: which libtorch
 * is (or would be) loaded and from where, what the NVIDIA driver says, what is installed, and whether and why the GPU
 * is used or not. Every line names the runtime folder asked about, which need not be the default one.
 */
public final class RuntimeStatus {

	private RuntimeStatus() {}

	/**
	 * The report, one line per fact.
	 *
	 * @param root the runtime folder
	 * @param load whether to load the engine to ask libtorch itself (only for the default runtime folder, the one this
	 *        process loads from; a failure to load is reported, not thrown)
	 */
	public static List<String> describe(Path root, boolean load) {
		List<String> out = new ArrayList<>();
		String classifier = LibtorchArchive.currentClassifier();
		NvidiaDriver.Report driver = NvidiaDriver.probe();
		if (driver.found()) {
			out.add("NVIDIA driver: " + driver.library() + ", supports CUDA up to " + driver.cudaVersionText() + ", " + driver.gpus().size() + " GPU(s)");
			for (NvidiaDriver.Gpu g : driver.gpus()) out.add("  " + g.describe() + " (device gpu:" + g.index() + ")");
		}
		else out.add("NVIDIA driver: none; " + driver.problem());

		List<InstalledRuntime> installed = RuntimeSelection.installed(root, classifier);
		List<String> problems = RuntimeSelection.problems(root, classifier);
		boolean nothing = installed.isEmpty() && problems.isEmpty();
		if (nothing) out.add("GPU runtime: not installed (runtime folder " + root + ")");
		else if (installed.isEmpty()) out.add("GPU runtime: none usable (runtime folder " + root + ")");
		for (InstalledRuntime r : installed) {
			out.add("GPU runtime: libtorch " + r.version() + " " + r.flavor() + " in " + r.dir() + " (" + RuntimeInstaller.gb(r.totalBytes()) + ", from " + r.source() + ")");
		}
		for (String p : problems) out.add("  not usable: " + p);

		Optional<Path> loaded = EngineState.loadedLibtorch();
		RuntimeSelection.Choice choice = RuntimeSelection.made(root).orElseGet(() -> RuntimeSelection.decide(root, () -> driver, EngineState.loadedLibtorch()));
		String loadFailure = null;
		if (loaded.isEmpty() && load && RuntimeSelection.sameFolder(root, RuntimeInstaller.defaultFolder())) {
			choice = RuntimeSelection.select();
			try {
				EngineSettings.start();
			}
			catch (RuntimeException e) {
				loadFailure = e.getMessage();
			}
			loaded = EngineState.loadedLibtorch();
		}
		String which = choice.runtime() != null ? "libtorch " + choice.runtime().version() + " " + choice.runtime().flavor() + " from " + choice.runtime().libDir()
			: "the CPU libtorch " + LibtorchArchive.LIBTORCH_VERSION + " from the pytorch-native-cpu jar, unpacked by DJL";
		if (loadFailure != null) out.add("libtorch: failed to load: " + loadFailure);
		else if (loaded.isPresent()) out.add("libtorch: loaded in this process from " + loaded.get() + " (version " + EngineState.loadedVersion().orElse("?") + ")");
		else out.add("libtorch: would load " + which);
		out.add("  because: " + choice.reason());

		String notInstalled = "GPU used: no, the GPU runtime is not installed in " + root + "; install it: stylecrafter runtime install"
			+ (RuntimeSelection.sameFolder(root, RuntimeInstaller.defaultFolder()) ? " (Fiji: Plugins > StyleCrafter > Install GPU Runtime...)" : " --dir " + root);
		String driverWhy = GpuCheck.driverProblem(driver);
		if (loadFailure != null) {
			out.add("GPU used: no, libtorch failed to load (above)");
		}
		else if (driverWhy != null) {
			out.add("GPU used: no, " + driverWhy);
		}
		else if (loaded.isPresent()) {
			boolean cuda = EngineState.libtorchHasCuda();
			if (cuda) out.add("GPU used: yes, device=auto takes " + GpuCheck.suitable(driver).get(0).describe());
			else if (choice.runtime() == null && nothing) out.add(notInstalled);
			else if (choice.runtime() == null) out.add("GPU used: no, the libtorch loaded in this process is the CPU one; restart to use the installed runtime");
			else out.add("GPU used: no, libtorch from " + choice.runtime().libDir() + " reports no usable CUDA device");
		}
		else if (choice.runtime() != null && choice.runtime().isCuda()) out.add("GPU used: yes once libtorch loads (device=auto takes " + GpuCheck.suitable(driver).get(0).describe() + ")");
		else if (nothing) out.add(notInstalled);
		else out.add("GPU used: no, " + choice.reason());
		out.add("engine: " + new EngineOptions("cpu", Precision.FLOAT32).describe() + " (the default; stylecrafter selftest checks the routes on this machine)");
		return out;
	}
}
