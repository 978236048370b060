package sc.fiji.stylecrafter.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import sc.fiji.stylecrafter.clip.ClipTokenizer;
import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.CheckpointFormatException;
import sc.fiji.stylecrafter.io.Checkpoints;
import sc.fiji.stylecrafter.sched.DdimConfig;
import sc.fiji.stylecrafter.sched.DdimScheduler;

/**
 * Checking a model folder before anything heavy, one job of loading: every file found ({@link ModelFolder}), readable,
 * holding what it should ({@link WeightFile}), config.json matching the weights, and, at load, the noise schedule.
 */
public final class ModelFolderCheck {

	private ModelFolderCheck() {}

	/**
	 * Checks a model folder without loading anything heavy: every required file found ({@link ModelFolder}: under its
	 * name, in a Hugging Face cache there, or by its keys), readable, holding what it should, the tokenizer vocabulary
	 * present, config.json (if any) valid and matching the weights.
	 *
	 * @return the problems found, one line each, empty if the folder is usable
	 */
	public static List<String> check(Path folder) {
		List<String> problems = new ArrayList<>();
		if (folder == null || !Files.isDirectory(folder)) {
			problems.add("model folder " + folder + " does not exist or is not a folder");
			return problems;
		}
		Map<WeightFile, Checkpoint> open = new EnumMap<>(WeightFile.class);
		ModelFolder located = ModelFolder.locate(folder);
		try {
			for (WeightFile w : WeightFile.values()) {
				Path f = located.weights().get(w);
				if (f == null) problems.add("missing " + w.fileName() + " in " + folder + " (not found under another name or in a Hugging Face cache there either)");
				else if (!Files.isReadable(f)) problems.add(f + " is not readable (check its permissions)");
				else {
					try {
						Checkpoint c = Checkpoints.open(f);
						open.put(w, c);
						String wrong = w.checkContent(f, c);
						if (wrong != null) problems.add(wrong);
					}
					catch (IOException | RuntimeException e) {
						problems.add(w.fileName() + ": " + e.getMessage());
					}
				}
			}
			try {
				ClipTokenizer.load(located.tokenizer() == null ? folder : located.tokenizer());
			}
			catch (IOException | RuntimeException e) {
				problems.add("tokenizer: " + e.getMessage());
			}
			try {
				ModelConfig config = ModelConfig.read(folder.resolve(ModelConfig.FILE_NAME));
				if (problems.isEmpty()) problems.addAll(WeightFile.checkShapes(open, config, configSource(folder)));
			}
			catch (IOException e) {
				problems.add(e.getMessage());
			}
			return problems;
		}
		finally {
			closeAll(open.values());
		}
	}

	static String configSource(Path folder) {
		Path f = folder.resolve(ModelConfig.FILE_NAME);
		return Files.exists(f) ? f.toString() : "the full-size configuration (there is no " + ModelConfig.FILE_NAME + ")";
	}

	private static void closeAll(Iterable<Checkpoint> files) {
		for (Checkpoint c : files) {
			try {
				c.close();
			}
			catch (IOException e) {
				// read-only files: nothing is lost
			}
		}
	}

	/**
	 * The noise schedule the sampler uses must be the one the model was trained with: {@code model.ckpt} registers its
	 * {@code alphas_cumprod}; a file without it is taken as it is.
	 */
	static void checkSchedule(Checkpoint ckpt, DdimConfig schedule) throws CheckpointFormatException {
		var stored = ckpt.tensors().get(CheckpointKeyMap.STATE_DICT + ".alphas_cumprod");
		if (stored == null) return;
		float[] want = new DdimScheduler(schedule).alphasCumprod(), got = stored.toFloatArray();
		if (got.length != want.length) {
			throw new CheckpointFormatException(ckpt.path() + ": its noise schedule has " + got.length + " steps; StyleCrafter samples with " + want.length);
		}
		for (int i = 0; i < got.length; i++) {
			if (Math.abs(got[i] - want[i]) > 1e-6 * Math.max(1, Math.abs(want[i])) + 1e-7) {
				throw new CheckpointFormatException(ckpt.path() + ": its noise schedule (alphas_cumprod[" + i + "] = " + got[i]
					+ ") is not StyleCrafter's (linear in sqrt from " + schedule.betaStart() + " to " + schedule.betaEnd() + ", " + want[i]
					+ "): another model's checkpoint");
			}
		}
	}

	/** The same content and shape checks as {@link #check(Path)}, on the files being loaded. */
	static void verify(Map<WeightFile, Checkpoint> files, ModelConfig config, String configSource) throws CheckpointFormatException {
		List<String> problems = new ArrayList<>();
		files.forEach((w, c) -> {
			String wrong = w.checkContent(c.path(), c);
			if (wrong != null) problems.add(wrong);
		});
		if (problems.isEmpty()) problems.addAll(WeightFile.checkShapes(files, config, configSource));
		if (!problems.isEmpty()) throw new CheckpointFormatException(String.join("; ", problems));
	}
}
