package sc.fiji.stylecrafter.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import sc.fiji.stylecrafter.adapter.StyleAdapter;
import sc.fiji.stylecrafter.clip.ClipTextEncoder;
import sc.fiji.stylecrafter.clip.ClipTokenizer;
import sc.fiji.stylecrafter.clip.ClipVisionEncoder;
import sc.fiji.stylecrafter.clip.StyleImageEncoder;
import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.CheckpointFormatException;
import sc.fiji.stylecrafter.io.Checkpoints;
import sc.fiji.stylecrafter.model.CheckpointKeyMap;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.model.WeightFile;
import sc.fiji.stylecrafter.models.ModelFolder;
import sc.fiji.stylecrafter.nn.NativeMemory;
import sc.fiji.stylecrafter.nn.Weights;
import sc.fiji.stylecrafter.sched.DdimConfig;
import sc.fiji.stylecrafter.sched.DdimScheduler;
import sc.fiji.stylecrafter.unet.UNetModel;
import sc.fiji.stylecrafter.vae.VaeDecoder;

/**
 * The whole StyleCrafter model, loaded once from a model folder onto one device in one precision: tokenizer, text and
 * image encoders, style adapter, UNet (with its temporal layers, so it serves video and image mode) and VAE decoder.
 * Owns the native memory of every weight; {@link #close()} frees it. Weight files are closed once loaded.
 */
public final class StyleCrafterModel implements AutoCloseable {

	static {
		EngineSettings.prepare(); // before DJL's engine starts: offline, no tracking, quiet
	}

	/** The files a model folder must hold. */
	public static final List<String> REQUIRED_FILES = WeightFile.fileNames();

	private final Path folder;
	private final Device device;
	private final Precision precision;
	private final NDManager manager;
	final ModelConfig config;
	final ClipTokenizer tokenizer;
	final ClipTextEncoder textEncoder;
	final StyleImageEncoder styleEncoder;
	final StyleAdapter adapter;
	final UNetModel unet;
	final VaeDecoder vae;
	final DdimConfig schedule = DdimConfig.STYLECRAFTER;

	private StyleCrafterModel(Path folder, Device device, Precision precision, NDManager manager, ModelConfig config, ClipTokenizer tokenizer,
		ClipTextEncoder textEncoder, StyleImageEncoder styleEncoder, StyleAdapter adapter, UNetModel unet, VaeDecoder vae)
	{
		this.folder = folder;
		this.device = device;
		this.precision = precision;
		this.manager = manager;
		this.config = config;
		this.tokenizer = tokenizer;
		this.textEncoder = textEncoder;
		this.styleEncoder = styleEncoder;
		this.adapter = adapter;
		this.unet = unet;
		this.vae = vae;
	}

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

	private static String configSource(Path folder) {
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

	/** The device a user's choice means: "auto" takes the GPU when one is usable. */
	public static Device device(String choice) {
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

	/**
	 * Loads the model folder.
	 *
	 * @throws NoSuchFileException naming the first missing file, before any heavy work
	 */
	public static StyleCrafterModel load(Path folder, Device device, Precision precision) throws IOException {
		return load(folder, device, precision, Notices.NONE);
	}

	/**
	 * Loads the model folder, telling {@code notices} what the user may want to know (unused weights, speed hints).
	 *
	 * @throws NoSuchFileException naming the first missing file, before any heavy work
	 */
	public static StyleCrafterModel load(Path folder, Device device, Precision precision, Notices notices) throws IOException {
		if (precision == Precision.BFLOAT16) {
			throw new IllegalArgumentException("precision bfloat16 is not supported yet: DJL 0.36's PyTorch engine aborts the process on bfloat16 "
				+ "tensors. Use float32 or float16.");
		}
		if (precision == Precision.FLOAT16 && !device.isGpu()) {
			notices.notice(Notices.Kind.ADVICE, "float16 on the CPU is much slower than float32");
		}
		if (!device.isGpu() && NativeMemory.isGlibc() && !String.valueOf(System.getenv("GLIBC_TUNABLES")).contains("glibc.malloc.hugetlb=1")) {
			notices.notice(Notices.Kind.ADVICE, "generating on the CPU: start Java (or Fiji) with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 in the environment "
				+ "for about twice the speed (transparent huge pages for large tensors; the stylecrafter launcher sets it)");
		}
		ModelFolder located = ModelFolder.locate(folder);
		for (WeightFile w : located.missing()) {
			throw new NoSuchFileException(folder.resolve(w.fileName()).toString(), null, "model file missing (see the README for the four files)");
		}
		for (Path f : located.weights().values()) if (!Files.isReadable(f)) throw new IOException(f + " is not readable (check its permissions)");
		for (String line : located.found()) notices.notice(Notices.Kind.INFO, line);
		ClipTokenizer tokenizer = ClipTokenizer.load(located.tokenizer() == null ? folder : located.tokenizer());
		ModelConfig config = ModelConfig.read(folder.resolve(ModelConfig.FILE_NAME));
		DataType dtype = precision.dataType();
		NDManager manager = NDManager.newBaseManager(device);
		try (Checkpoint ckpt = Checkpoints.open(located.weights().get(WeightFile.MODEL));
			Checkpoint clip = Checkpoints.open(located.weights().get(WeightFile.OPEN_CLIP));
			Checkpoint adapterFile = Checkpoints.open(located.weights().get(WeightFile.ADAPTER));
			Checkpoint temporal = Checkpoints.open(located.weights().get(WeightFile.TEMPORAL)))
		{
			verify(Map.of(WeightFile.MODEL, ckpt, WeightFile.OPEN_CLIP, clip, WeightFile.ADAPTER, adapterFile, WeightFile.TEMPORAL, temporal), config,
				configSource(folder));
			checkSchedule(ckpt, DdimConfig.STYLECRAFTER);
			Weights text = Weights.of(CheckpointKeyMap.textEncoder(clip, ckpt), manager, dtype, "text encoder (open_clip_pytorch_model.bin, then model.ckpt)");
			Weights visual = Weights.of(CheckpointKeyMap.visionEncoder(clip), manager, dtype, "image encoder (open_clip_pytorch_model.bin visual.*)");
			Weights adapterW = Weights.of(CheckpointKeyMap.adapter(adapterFile), manager, dtype, "adapter_v1.pth");
			Weights unetW = Weights.of(CheckpointKeyMap.unet(ckpt, temporal), manager, dtype, "UNet (model.ckpt, then temporal_v1_1.pth)");
			Weights vaeW = Weights.of(CheckpointKeyMap.vae(ckpt), manager, dtype, "VAE (model.ckpt first_stage_model.*)");
			ClipTextEncoder textEncoder = new ClipTextEncoder(text, config.text());
			StyleImageEncoder styleEncoder = new StyleImageEncoder(new ClipVisionEncoder(visual, config.vision()));
			StyleAdapter adapter = new StyleAdapter(adapterW, config.adapter());
			UNetModel unet = new UNetModel(unetW, adapterW, config.unet(), true, config.text().contextLength());
			VaeDecoder vae = new VaeDecoder(vaeW, config.vae());
			List<String> unexpected = new ArrayList<>();
			unexpected.addAll(unused(notices, "text tower (open_clip_pytorch_model.bin, model.ckpt)", text, CheckpointKeyMap.View.TEXT, config));
			unexpected.addAll(unused(notices, "image tower (open_clip_pytorch_model.bin)", visual, CheckpointKeyMap.View.VISION, config));
			unexpected.addAll(unused(notices, "adapter_v1.pth", adapterW, CheckpointKeyMap.View.ADAPTER, config));
			unexpected.addAll(unused(notices, "UNet (model.ckpt, temporal_v1_1.pth)", unetW, CheckpointKeyMap.View.UNET, config));
			unexpected.addAll(unused(notices, "VAE (model.ckpt)", vaeW, CheckpointKeyMap.View.VAE, config));
			if (!unexpected.isEmpty()) {
				throw new CheckpointFormatException("the model files hold weights that no part of StyleCrafter takes, so they are not the files "
					+ "this program was written for (another version?): " + String.join("; ", unexpected));
			}
			return new StyleCrafterModel(folder, device, precision, manager, config, tokenizer, textEncoder, styleEncoder, adapter, unet, vae);
		}
		catch (UncheckedIOException e) {
			manager.close();
			throw e.getCause(); // a weight file found corrupt while its tensors were read (CRC-32)
		}
		catch (IOException | RuntimeException e) {
			manager.close();
			throw e;
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
	private static void verify(Map<WeightFile, Checkpoint> files, ModelConfig config, String configSource) throws CheckpointFormatException {
		List<String> problems = new ArrayList<>();
		files.forEach((w, c) -> {
			String wrong = w.checkContent(c.path(), c);
			if (wrong != null) problems.add(wrong);
		});
		if (problems.isEmpty()) problems.addAll(WeightFile.checkShapes(files, config, configSource));
		if (!problems.isEmpty()) throw new CheckpointFormatException(String.join("; ", problems));
	}

	/**
	 * The unused weights of a network: those its view expects are reported as a fact; the others are returned, as one
	 * line naming the network and at most five keys.
	 */
	private static List<String> unused(Notices notices, String what, Weights w, CheckpointKeyMap.View view, ModelConfig config) {
		List<String> expected = new ArrayList<>(), other = new ArrayList<>();
		for (String k : w.unusedKeys()) (view.expectedUnused(k, config) ? expected : other).add(k);
		if (!expected.isEmpty()) notices.notice(Notices.Kind.INFO, what + ": " + expected.size() + " weights not used, as in the official code");
		if (other.isEmpty()) return List.of();
		return List.of(what + ": " + other.size() + " unexpected weights (" + String.join(", ", other.subList(0, Math.min(5, other.size())))
			+ (other.size() > 5 ? ", ..." : "") + ")");
	}


	public Path folder() {
		return folder;
	}

	public Device device() {
		return device;
	}

	/** The device in a user's words: {@code cpu}, {@code gpu 0}, ... */
	public static String label(Device device) {
		return device.isGpu() ? "gpu " + device.getDeviceId() : device.getDeviceType();
	}

	public Precision precision() {
		return precision;
	}

	/** The DDIM schedule the model samples with. */
	public DdimConfig schedule() {
		return schedule;
	}

	public ModelConfig config() {
		return config;
	}

	/** The model-level manager; each generation opens a sub-manager of it. */
	NDManager manager() {
		return manager;
	}

	@Override
	public void close() {
		manager.close();
	}
}
