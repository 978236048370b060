package sc.fiji.stylecrafter.model;

import java.nio.file.Path;
import java.util.List;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.adapter.StyleAdapter;
import sc.fiji.stylecrafter.clip.ClipTextEncoder;
import sc.fiji.stylecrafter.clip.ClipTokenizer;
import sc.fiji.stylecrafter.clip.StyleImageEncoder;
import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.engine.EngineOptions;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.nn.RouteChecks;
import sc.fiji.stylecrafter.sched.DdimConfig;
import sc.fiji.stylecrafter.task.Notices;
import sc.fiji.stylecrafter.unet.UNetModel;
import sc.fiji.stylecrafter.vae.VaeDecoder;
import sc.fiji.stylecrafter.vae.VaeEncoder;

/**
 * The whole StyleCrafter model on one device in one precision, as {@link ModelLoader} made it: tokenizer, text and
 * image encoders, style adapter, UNet (with its temporal layers, so it serves video and image mode) and VAE encoder (for restyling) and decoder.
 * Owns the native memory of every weight; {@link #close()} frees it.
 */
public final class StyleCrafterModel implements AutoCloseable {

	private final Path folder;
	private final Device device;
	private final Precision precision;
	private final NDManager manager;
	private final Notices notices;
	private final ModelConfig config;
	private final ClipTokenizer tokenizer;
	private final ClipTextEncoder textEncoder;
	private final StyleImageEncoder styleEncoder;
	private final StyleAdapter adapter;
	private final UNetModel unet;
	private final VaeEncoder vaeEncoder;
	private final VaeDecoder vae;

	/**
	 * @param folder where it was loaded from, or {@code null} (zero weights)
	 * @param tokenizer or {@code null} for a model of zero weights ({@link #encodeText} then encodes token ids 0)
	 * @param notices where the loader's notices went; {@link #reportRoutes} goes there too
	 */
	StyleCrafterModel(Path folder, Device device, Precision precision, NDManager manager, Notices notices, ModelConfig config, ClipTokenizer tokenizer,
		ClipTextEncoder textEncoder, StyleImageEncoder styleEncoder, StyleAdapter adapter, UNetModel unet, VaeEncoder vaeEncoder,
		VaeDecoder vae)
	{
		this.folder = folder;
		this.device = device;
		this.precision = precision;
		this.manager = manager;
		this.notices = notices;
		this.config = config;
		this.tokenizer = tokenizer;
		this.textEncoder = textEncoder;
		this.styleEncoder = styleEncoder;
		this.adapter = adapter;
		this.unet = unet;
		this.vaeEncoder = vaeEncoder;
		this.vae = vae;
	}

	/** The prompt's text embeddings {@code [1, 77, D]} on {@code scope}; a model of zero weights encodes token ids 0. */
	public NDArray encodeText(String prompt, NDManager scope) {
		if (tokenizer != null) return textEncoder.encode(tokenizer, List.of(prompt), scope);
		NDArray ids = scope.zeros(new Shape(1, config.text().contextLength()), DataType.INT64).toDevice(device, false);
		return textEncoder.encode(ids);
	}

	/** Where the model was loaded from, or {@code null} for a model of zero weights. */
	public Path folder() {
		return folder;
	}

	public Device device() {
		return device;
	}

	/** How the model computes: device, precision, the kernel routes it may try. */
	public EngineOptions engine() {
		return new EngineOptions(deviceLabel(), precision);
	}

	/** The device in a user's words ({@code cpu}, {@code gpu 0}). */
	public String deviceLabel() {
		return DeviceChoice.label(device);
	}

	public Precision precision() {
		return precision;
	}

	/** The DDIM schedule the model samples with. */
	public DdimConfig schedule() {
		return DdimConfig.STYLECRAFTER;
	}

	public ModelConfig config() {
		return config;
	}

	public ClipTextEncoder textEncoder() {
		return textEncoder;
	}

	public StyleImageEncoder styleEncoder() {
		return styleEncoder;
	}

	public StyleAdapter adapter() {
		return adapter;
	}

	public UNetModel unet() {
		return unet;
	}

	public VaeDecoder vae() {
		return vae;
	}

	/** The VAE's encoder: a source clip to latents, for restyling. */
	public VaeEncoder vaeEncoder() {
		return vaeEncoder;
	}

	/**
	 * Tells the notices given at load, as advice, the kernel routes this process found wrong on this machine since the
	 * last call (each route once per process, {@link RouteChecks#takeReports}).
	 */
	public void reportRoutes() {
		for (String line : RouteChecks.takeReports()) notices.notice(Notices.Kind.ADVICE, line);
	}

	/** A manager for one run's arrays, under the model's (closed by the run; the weights stay). */
	public NDManager newRunManager() {
		return manager.newSubManager();
	}

	/** How many arrays the model's manager holds (its weights; a run's arrays are gone once it ends): for memory tests. */
	public int managedArrays() {
		return manager.getManagedArrays().size();
	}

	@Override
	public void close() {
		manager.close();
	}
}
