from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ..._exceptions import malformed_response
from ...client import AuthenticatedClient, Client
from ...models.create_video_json_body import CreateVideoJsonBody
from ...models.create_video_multipart_body import CreateVideoMultipartBody
from ...models.error_response import ErrorResponse
from ...models.video import Video
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: CreateVideoMultipartBody | CreateVideoJsonBody,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/videos",
    }

    if isinstance(body, CreateVideoMultipartBody):
        _kwargs["files"] = body.to_multipart()

    if isinstance(body, CreateVideoJsonBody):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorResponse | Video | None:
    if response.status_code == 200:
        response_200 = Video.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 409:
        response_409 = ErrorResponse.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorResponse.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorResponse.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if 200 <= response.status_code < 300:
        # A success status the contract does not list (a newer server's 201 or 202, say) is read
        # as the documented one, as the openai SDK reads any 2xx.
        response_200 = Video.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | Video]:
    try:
        parsed = _parse_response(client=client, response=response)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise malformed_response(response, exc) from exc
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=parsed,
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateVideoMultipartBody | CreateVideoJsonBody,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorResponse | Video]:
    """Create a video generation job.

     Starts rendering a new video from a text prompt, optionally guided by a reference image.
    The official SDK always sends multipart/form-data; a JSON body is accepted too when no
    file is uploaded. An `input_reference` the server cannot use (a `file_id` it does not
    hold, an `image_url` it cannot fetch, an image it cannot read) answers 400 with
    `param: input_reference`.

    Args:
        idempotency_key (str | Unset):
        body (CreateVideoMultipartBody):
        body (CreateVideoJsonBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | Video]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CreateVideoMultipartBody | CreateVideoJsonBody,
    idempotency_key: str | Unset = UNSET,
) -> ErrorResponse | Video | None:
    """Create a video generation job.

     Starts rendering a new video from a text prompt, optionally guided by a reference image.
    The official SDK always sends multipart/form-data; a JSON body is accepted too when no
    file is uploaded. An `input_reference` the server cannot use (a `file_id` it does not
    hold, an `image_url` it cannot fetch, an image it cannot read) answers 400 with
    `param: input_reference`.

    Args:
        idempotency_key (str | Unset):
        body (CreateVideoMultipartBody):
        body (CreateVideoJsonBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | Video
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateVideoMultipartBody | CreateVideoJsonBody,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorResponse | Video]:
    """Create a video generation job.

     Starts rendering a new video from a text prompt, optionally guided by a reference image.
    The official SDK always sends multipart/form-data; a JSON body is accepted too when no
    file is uploaded. An `input_reference` the server cannot use (a `file_id` it does not
    hold, an `image_url` it cannot fetch, an image it cannot read) answers 400 with
    `param: input_reference`.

    Args:
        idempotency_key (str | Unset):
        body (CreateVideoMultipartBody):
        body (CreateVideoJsonBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | Video]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateVideoMultipartBody | CreateVideoJsonBody,
    idempotency_key: str | Unset = UNSET,
) -> ErrorResponse | Video | None:
    """Create a video generation job.

     Starts rendering a new video from a text prompt, optionally guided by a reference image.
    The official SDK always sends multipart/form-data; a JSON body is accepted too when no
    file is uploaded. An `input_reference` the server cannot use (a `file_id` it does not
    hold, an `image_url` it cannot fetch, an image it cannot read) answers 400 with
    `param: input_reference`.

    Args:
        idempotency_key (str | Unset):
        body (CreateVideoMultipartBody):
        body (CreateVideoJsonBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | Video
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
