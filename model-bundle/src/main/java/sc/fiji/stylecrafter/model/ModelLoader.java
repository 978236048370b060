package sc.fiji.stylecrafter.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import sc.fiji.stylecrafter.adapter.StyleAdapter;
import sc.fiji.stylecrafter.clip.ClipScorer;
import sc.fiji.stylecrafter.clip.ClipTextEncoder;
import sc.fiji.stylecrafter.clip.ClipTokenizer;
import sc.fiji.stylecrafter.clip.ClipVisionEncoder;
import sc.fiji.stylecrafter.clip.StyleImageEncoder;
import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.engine.EngineSettings;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.engine.Precision.Part;
import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.CheckpointFormatException;
import sc.fiji.stylecrafter.io.Checkpoints;
import sc.fiji.stylecrafter.io.StoredTensor;
import sc.fiji.stylecrafter.nn.Bfloat16;
import sc.fiji.stylecrafter.nn.NativeMemory;
import sc.fiji.stylecrafter.nn.Weights;
import sc.fiji.stylecrafter.sched.DdimConfig;
import sc.fiji.stylecrafter.task.Notices;
import sc.fiji.stylecrafter.unet.Mode;
import sc.fiji.stylecrafter.unet.UNetModel;
import sc.fiji.stylecrafter.vae.VaeDecoder;
import sc.fiji.stylecrafter.vae.VaeEncoder;

/**
 * Loads a model folder in one pass: folder (which file is which, {@link ModelFolder}) -> checks (every file present,
 * readable, of the expected keys and sizes, the schedule, {@link ModelFolderCheck}) -> checkpoints -> key views
 * ({@link CheckpointKeyMap}) -> networks -> the report of weights no network took. What the loader knows of files and
 * keys stays here: the networks take {@link Weights} views and know no checkpoint key outside their own block.
 */
public final class ModelLoader {

	static {
		EngineSettings.prepare(); // before DJL's engine starts: offline, no tracking, quiet
	}

	private ModelLoader() {}

	/**
	 * Loads the model folder.
	 *
	 * @throws NoSuchFileException naming the first missing file, before any heavy work
	 */
	public static StyleCrafterModel load(Path folder, Device device, Precision precision) throws IOException {
		return load(folder, device, precision, Notices.NONE);
	}

	/** As {@link #load(Path, Device, Precision, Notices)} on the device a user's choice means here. */
	public static StyleCrafterModel load(Path folder, DeviceChoice device, Precision precision, Notices notices) throws IOException {
		return load(folder, device.resolve(), precision, notices);
	}

	/**
	 * Loads the model folder, telling {@code notices} what the user may want to know (unused weights, speed hints).
	 *
	 * @throws NoSuchFileException naming the first missing file, before any heavy work
	 */
	public static StyleCrafterModel load(Path folder, Device device, Precision precision, Notices notices) throws IOException {
		EngineSettings.start();
		checkPrecision(device, precision);
		if (precision == Precision.BFLOAT16) {
			notices.notice(Notices.Kind.INFO, "bfloat16: the UNet's convolutions and linear layers compute in bfloat16 (about 3e-3 relative error each; float32 is "
				+ "the reference)");
		}
		if (precision == Precision.FLOAT16 && !device.isGpu()) {
			notices.notice(Notices.Kind.ADVICE, "float16 on the CPU is far slower than float32 (libtorch computes float16 products there on a slow path: one full-size image UNet call took over 10 minutes on 2 cores, against 3 s in float32); use float32 or bfloat16 on the CPU, float16 on a GPU");
		}
		if (!device.isGpu() && NativeMemory.isGlibc() && !NativeMemory.hugePagesForTensors()
			&& !String.valueOf(System.getenv("GLIBC_TUNABLES")).contains("glibc.malloc.hugetlb=1")) {
			notices.notice(Notices.Kind.ADVICE, "generating on the CPU without huge pages for large tensors (" + NativeMemory.THP_VARIABLE + " is not 1, or "
				+ NativeMemory.THP_PROPERTY + "=false): a full-size video step is about 20% slower");
		}
		ModelFolder located = located(folder);
		for (String line : located.found()) notices.notice(Notices.Kind.INFO, line);
		ClipTokenizer tokenizer = tokenizer(folder, located);
		ModelConfig config = ModelConfig.read(folder.resolve(ModelConfig.FILE_NAME));
		NDManager manager = NDManager.newBaseManager(device);
		try (Checkpoint ckpt = Checkpoints.open(located.weights().get(WeightFile.MODEL));
			Checkpoint clip = Checkpoints.open(located.weights().get(WeightFile.OPEN_CLIP));
			Checkpoint adapterFile = Checkpoints.open(located.weights().get(WeightFile.ADAPTER));
			Checkpoint temporal = Checkpoints.open(located.weights().get(WeightFile.TEMPORAL)))
		{
			ModelFolderCheck.verify(Map.of(WeightFile.MODEL, ckpt, WeightFile.OPEN_CLIP, clip, WeightFile.ADAPTER, adapterFile, WeightFile.TEMPORAL, temporal), config,
				ModelFolderCheck.configSource(folder));
			ModelFolderCheck.checkSchedule(ckpt, DdimConfig.STYLECRAFTER);
			Weights text = weights(precision, Part.TEXT_ENCODER, CheckpointKeyMap.textEncoder(clip, ckpt), manager, "text encoder (open_clip_pytorch_model.bin, then model.ckpt)");
			Weights visual = weights(precision, Part.IMAGE_ENCODER, CheckpointKeyMap.visionEncoder(clip), manager, "image encoder (open_clip_pytorch_model.bin visual.*)");
			Weights adapterW = weights(precision, Part.ADAPTER, CheckpointKeyMap.adapter(adapterFile), manager, "adapter_v1.pth");
			Weights unetW = weights(precision, Part.UNET, CheckpointKeyMap.unet(ckpt, temporal), manager, "UNet (model.ckpt, then temporal_v1_1.pth)");
			Weights vaeW = weights(precision, Part.VAE, CheckpointKeyMap.vae(ckpt), manager, "VAE (model.ckpt first_stage_model.*)");
			StyleCrafterModel model = build(folder, device, precision, manager, notices, config, tokenizer, text, visual, adapterW, unetW, vaeW);
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
			notices.notice(Notices.Kind.INFO, "engine: " + model.engine().describe());
			return model;
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
	 * A model of {@code config}'s sizes whose weights are all zero and take no memory ({@link Weights#zeros}), and which
	 * has no tokenizer: what its layers compute at can be listed ({@code RouteChecks.trace}, the self-test) without the
	 * weight files; what it generates means nothing.
	 */
	public static StyleCrafterModel zeros(ModelConfig config, Device device, Precision precision) {
		EngineSettings.start();
		checkPrecision(device, precision);
		NDManager manager = NDManager.newBaseManager(device);
		try {
			return build(null, device, precision, manager, Notices.NONE, config, null, zeros(precision, Part.TEXT_ENCODER, manager),
				zeros(precision, Part.IMAGE_ENCODER, manager), zeros(precision, Part.ADAPTER, manager), zeros(precision, Part.UNET, manager),
				zeros(precision, Part.VAE, manager));
		}
		catch (RuntimeException e) {
			manager.close();
			throw e;
		}
	}

	/**
	 * The CLIP scorer of a model folder (the text and image towers of {@code open_clip_pytorch_model.bin} with their
	 * projections), in float32 on {@code device}; it owns its weights.
	 */
	public static ClipScorer scorer(Path folder, DeviceChoice choice) throws IOException {
		Device device = choice.resolve();
		EngineSettings.start();
		ModelFolder located = ModelFolder.locate(folder);
		Path bin = located.weights().get(WeightFile.OPEN_CLIP);
		if (bin == null) throw new NoSuchFileException(folder.resolve(WeightFile.OPEN_CLIP.fileName()).toString(), null, "model file missing");
		ModelConfig config = ModelConfig.read(folder.resolve(ModelConfig.FILE_NAME));
		ClipTokenizer tokenizer = tokenizer(folder, located);
		NDManager manager = NDManager.newBaseManager(device);
		try (Checkpoint clip = Checkpoints.open(bin)) {
			Weights text = Weights.of(CheckpointKeyMap.clipTextTower(clip), manager, DataType.FLOAT32, "OpenCLIP text tower (open_clip_pytorch_model.bin)");
			Weights visual = Weights.of(CheckpointKeyMap.visionEncoder(clip), manager, DataType.FLOAT32, "OpenCLIP image tower (open_clip_pytorch_model.bin)");
			return new ClipScorer(manager, tokenizer, text, visual, config.text(), config.vision());
		}
		catch (IOException | RuntimeException e) {
			manager.close();
			throw e;
		}
	}

	/** The networks from their weights; the UNet's style branches take the adapter's weights at the key path of their layer. */
	private static StyleCrafterModel build(Path folder, Device device, Precision precision, NDManager manager, Notices notices, ModelConfig config,
		ClipTokenizer tokenizer, Weights text, Weights visual, Weights adapter, Weights unet, Weights vae)
	{
		UNetModel u = new UNetModel(unet, CheckpointKeyMap.styleBranches(adapter), config.unet(), Mode.VIDEO, config.text().contextLength()); // runs both modes
		return new StyleCrafterModel(folder, device, precision, manager, notices, config, tokenizer, new ClipTextEncoder(text, config.text()),
			new StyleImageEncoder(new ClipVisionEncoder(visual, config.vision())), new StyleAdapter(adapter, config.adapter()), u,
			new VaeEncoder(vae, config.vae()), new VaeDecoder(vae, config.vae()));
	}

	/** The folder's files, or the first missing one, or one that cannot be read, named. */
	private static ModelFolder located(Path folder) throws IOException {
		ModelFolder located = ModelFolder.locate(folder);
		for (WeightFile w : located.missing()) {
			throw new NoSuchFileException(folder.resolve(w.fileName()).toString(), null, "model file missing (docs/models.md lists the four files)");
		}
		for (Path f : located.weights().values()) if (!Files.isReadable(f)) throw new IOException(f + " is not readable (check its permissions)");
		return located;
	}

	private static ClipTokenizer tokenizer(Path folder, ModelFolder located) throws IOException {
		return ClipTokenizer.load(located.tokenizer() == null ? folder : located.tokenizer());
	}

	/** Refuses a precision the device or this libtorch cannot compute in, naming what can. */
	private static void checkPrecision(Device device, Precision precision) {
		if (precision == Precision.BFLOAT16 && device.isGpu()) {
			throw new IllegalArgumentException("precision bfloat16 runs on the CPU only; on a GPU use float16 (or float32)");
		}
		if (precision == Precision.BFLOAT16) {
			String problem = Bfloat16.problem();
			if (problem != null) throw new IllegalArgumentException("precision bfloat16 cannot run with this libtorch: " + problem + "; use float32");
		}
	}

	/** A part's weights, in the dtype and with the kernels {@code precision} gives that part ({@link Precision#of}). */
	public static Weights weights(Precision precision, Part part, SortedMap<String, StoredTensor> keys, NDManager manager, String source) {
		Precision.Compute c = precision.of(part);
		return Weights.of(keys, manager, c.dtype(), c.kernels(), source);
	}

	private static Weights zeros(Precision precision, Part part, NDManager manager) {
		Precision.Compute c = precision.of(part);
		return Weights.zeros(manager, c.dtype(), c.kernels());
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
}
