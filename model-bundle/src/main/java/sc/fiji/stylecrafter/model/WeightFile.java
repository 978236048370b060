package sc.fiji.stylecrafter.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.StoredTensor;

/**
 * The four weight files of a model folder, each recognised by its content (its key set), not its name: a swapped or
 * wrong file is an error that names both files before anything is loaded. Also checks that {@code config.json} (or the
 * full-size default) matches the weights, with one characteristic shape per network, so that a folder whose sizes do
 * not fit is refused at once instead of after minutes of loading.
 */
public enum WeightFile {

	MODEL("model.ckpt", "the VideoCrafter model (UNet, VAE, text encoder)",
		keys -> keys.stream().anyMatch(k -> k.startsWith(CheckpointKeyMap.UNET + ".")), CheckpointKeyMap.UNET + ".*"),
	ADAPTER("adapter_v1.pth", "the StyleCrafter style adapter",
		keys -> any(keys, "image_context_model.") && any(keys, "scale_predictor."), "image_context_model.*, scale_predictor.*"),
	TEMPORAL("temporal_v1_1.pth", "the StyleCrafter temporal layers",
		keys -> any(keys, "init_attn.") && keys.stream().anyMatch(k -> k.contains(".relative_position_k.")), "init_attn.*"),
	OPEN_CLIP("open_clip_pytorch_model.bin", "the OpenCLIP ViT-H/14 encoders",
		keys -> keys.contains("token_embedding.weight") && keys.contains("visual.conv1.weight"), "visual.conv1.weight, token_embedding.weight");

	private final String fileName;
	private final String content;
	private final Predicate<Set<String>> signature;
	private final String expectedKeys;

	WeightFile(String fileName, String content, Predicate<Set<String>> signature, String expectedKeys) {
		this.fileName = fileName;
		this.content = content;
		this.signature = signature;
		this.expectedKeys = expectedKeys;
	}

	private static boolean any(Set<String> keys, String prefix) {
		return keys.stream().anyMatch(k -> k.startsWith(prefix));
	}

	/** The name the file has in a model folder. */
	public String fileName() {
		return fileName;
	}

	/** The file names, in the order of the enum. */
	public static List<String> fileNames() {
		return Arrays.stream(values()).map(WeightFile::fileName).toList();
	}

	/** Which weight file the keys belong to, or {@code null} if none. */
	public static WeightFile identify(Set<String> keys) {
		for (WeightFile w : values()) if (w.signature.test(keys)) return w;
		return null;
	}

	/**
	 * Checks that {@code file}, opened from this role's place, holds this role's weights.
	 *
	 * @return the problem in one line, or {@code null}
	 */
	public String checkContent(Path file, Checkpoint c) {
		Set<String> keys = c.tensors().keySet();
		WeightFile found = identify(keys);
		if (found == this) return null;
		if (found != null) {
			return file + " holds " + found.content + " (the content of " + found.fileName + "), not " + content
				+ ": the files seem swapped or renamed; put each file under its own name";
		}
		String first = keys.isEmpty() ? "none" : "'" + keys.iterator().next() + "'";
		return file + " does not hold " + content + " (expected keys " + expectedKeys + "; its " + keys.size() + " tensors start with " + first
			+ "): a wrong file under this name";
	}

	/**
	 * Checks one characteristic shape per network against the configuration. Files missing from {@code files} are
	 * skipped (their absence is reported elsewhere).
	 *
	 * @return the problems found, one line each
	 */
	public static List<String> checkShapes(Map<WeightFile, Checkpoint> files, ModelConfig config, String configSource) {
		List<String> problems = new ArrayList<>();
		var t = config.text();
		var v = config.vision();
		var u = config.unet();
		var a = config.adapter();
		var e = config.vae();
		expect(problems, files, OPEN_CLIP, "token_embedding.weight", configSource, t.vocabSize(), t.width());
		expect(problems, files, OPEN_CLIP, "visual.conv1.weight", configSource, v.width(), 3, v.patchSize(), v.patchSize());
		expect(problems, files, MODEL, CheckpointKeyMap.UNET + ".input_blocks.0.0.weight", configSource, u.modelChannels(), u.inChannels(), 3, 3);
		expect(problems, files, MODEL, CheckpointKeyMap.VAE + ".decoder.conv_in.weight", configSource,
			e.ch() * e.chMult().get(e.chMult().size() - 1), e.zChannels(), 3, 3);
		expect(problems, files, MODEL, CheckpointKeyMap.TEXT + ".token_embedding.weight", configSource, t.vocabSize(), t.width());
		expect(problems, files, ADAPTER, "image_context_model.style_emb", configSource, 1, a.styleTokens(), a.styleInDim());
		return problems;
	}

	private static void expect(List<String> problems, Map<WeightFile, Checkpoint> files, WeightFile w, String key, String configSource,
		long... shape)
	{
		Checkpoint c = files.get(w);
		if (c == null) return;
		StoredTensor s = c.tensors().get(key);
		if (s == null) return; // a missing weight is named when the network loads
		if (!Arrays.equals(s.shape(), shape)) {
			problems.add(w.fileName + ": weight '" + key + "' has shape " + Arrays.toString(s.shape()) + " but " + configSource + " gives "
				+ Arrays.toString(shape) + ": the configuration does not match these weights");
		}
	}
}
