package sc.fiji.stylecrafter.engine;

import java.nio.file.Path;
import java.util.Optional;

import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.LibUtils;

/** What DJL's PyTorch engine in this process is: whether it was loaded, from where, and whether libtorch has CUDA. */
public final class EngineState {

	private EngineState() {}

	/** The folder the loaded libtorch came from, or empty while no engine was loaded in this process. Loads nothing. */
	public static Optional<Path> loadedLibtorch() {
		try {
			return Optional.of(Path.of(LibUtils.getLibtorchPath()));
		}
		catch (NullPointerException | LinkageError e) {
			return Optional.empty(); // LibUtils keeps null until the engine loads
		}
	}

	/** The libtorch version of the loaded engine ({@code 2.7.1}), or empty. */
	public static Optional<String> loadedVersion() {
		if (loadedLibtorch().isEmpty()) return Optional.empty();
		return Optional.of(LibUtils.getVersion());
	}

	/** Loads the engine if needed and asks libtorch itself whether CUDA is usable ({@code torch::cuda::is_available}). */
	public static boolean libtorchHasCuda() {
		return Engine.getEngine("PyTorch").hasCapability(StandardCapabilities.CUDA);
	}
}
